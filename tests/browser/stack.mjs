// The process helpers of the browser tests: a private temp dir, child processes with their output
// kept (for waiting on lines) and logged, a private redis-server, sse-gateway instances, nginx
// (deploy/nginx/start) in front of them, headless Chromium, and small HTTP helpers. Everything a
// Stack started is stopped by shutdown(), which a test calls in after(), also when a step failed
// (then the logs' tails are printed and the temp dir is kept).
import { spawn, execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repo = path.resolve(here, '../..');
export const binDir = process.env.SSEGW_BIN_DIR || path.join(repo, 'build/bin');
export const artifacts = path.join(repo, 'build/artifacts');

const everyProcess = new Set();   // of every Stack: killed if the runner itself exits early
// Last resort if the runner itself dies: no orphan gateways, nginx or redis.
process.on('exit', () => { for (const p of everyProcess) try { p.child.kill('SIGKILL'); } catch { /* gone */ } });

export function tail(s, lines = 25) { return s.split('\n').slice(-lines).join('\n'); }

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

export function get(url, { insecure = false, timeout = 2000 } = {}) {
  const mod = url.startsWith('https:') ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.get(url, { rejectUnauthorized: !insecure, timeout }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`timeout: ${url}`)));
    req.on('error', reject);
  });
}

// Polls fn until it returns something truthy (which it resolves with); throws at the deadline.
export async function until(what, fn, ms = 10000, every = 100) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    try { if ((last = await fn())) return last; } catch (e) { last = e; }
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what} (last: ${last})`);
    await sleep(every);
  }
}

// Resolves with the first match of `re` in the process's output; rejects if it exits first or
// the deadline passes.
export function waitForOutput(p, re, ms = 10000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`${p.name}: no ${re} within ${ms} ms; output:\n${tail(p.out)}`)), ms);
    const check = () => {
      const m = p.out.match(re);
      if (m) return done(null, m);
      if (p.code !== undefined) done(new Error(`${p.name} exited (${p.code ?? p.signal}) before ${re}:\n${tail(p.out)}`));
    };
    const done = (err, m) => {
      clearTimeout(timer);
      p.waiters.delete(check);
      err ? reject(err) : resolve(m);
    };
    p.waiters.add(check);
    check();
  });
}

export async function stop(p, signal = 'SIGTERM', ms = 12000) {
  if (p.code !== undefined || p.signal) return p.exited;
  p.child.kill(signal);
  const timer = setTimeout(() => p.child.kill('SIGKILL'), ms);
  const r = await p.exited;
  clearTimeout(timer);
  return r;
}

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--ignore-certificate-errors'];

export function launchChromium(args = CHROMIUM_ARGS) {
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args });
}

// One test file's processes and their private temp dir.
export class Stack {
  constructor(label) {
    this.tmp = fs.mkdtempSync(path.join(os.tmpdir(), `ssegw-${label}-`));
    this.procs = new Set();   // everything started and not seen exiting
    this.failed = false;      // set by the test: shutdown() then prints logs and keeps tmp
  }

  // Starts a process with its output kept in memory (for waiting on lines) and in tmp/<name>.log.
  start(name, cmd, args) {
    const child = spawn(cmd, args, { cwd: this.tmp, stdio: ['ignore', 'pipe', 'pipe'] });
    const log = fs.createWriteStream(path.join(this.tmp, `${name}.log`), { flags: 'a' });
    const p = { name, child, out: '', waiters: new Set(), code: undefined, signal: undefined };
    const onData = (chunk) => {
      const s = chunk.toString();
      p.out += s;
      log.write(s);
      for (const w of p.waiters) w();
    };
    const gone = () => { this.procs.delete(p); everyProcess.delete(p); for (const w of p.waiters) w(); };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    p.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        p.code = code;
        p.signal = signal;
        gone();
        resolve({ code, signal });
      });
      child.on('error', (err) => {   // e.g. ENOENT: report it as an exit
        p.out += `\nspawn error: ${err.message}\n`;
        p.code = -1;
        gone();
        resolve({ code: -1, signal: null });
      });
    });
    this.procs.add(p);
    everyProcess.add(p);
    return p;
  }

  async startRedis() {
    this.redisPort = await freePort();
    this.redisUrl = `redis://127.0.0.1:${this.redisPort}`;
    const p = this.start('redis', 'redis-server', ['--port', String(this.redisPort), '--bind', '127.0.0.1',
      '--save', '', '--appendonly', 'no', '--dir', this.tmp]);
    await waitForOutput(p, /Ready to accept connections/);
    return p;
  }

  redisCli(...args) {
    return new Promise((resolve, reject) => {
      execFile('redis-cli', ['-p', String(this.redisPort), ...args], { maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
        if (err) reject(new Error(`redis-cli ${args[0]}: ${err.message} ${stderr}`));
        else resolve(stdout);
      });
    });
  }

  // An sse-gateway on `listen` (port 0: any), resolved once it logged its address.
  async startGateway(name, listen, extraArgs = []) {
    const p = this.start(name, path.join(binDir, 'sse-gateway'), [
      '--listen', listen, '--redis', this.redisUrl, '--instance-id', name,
      '--keepalive-interval', '2', '--threads', '1', ...extraArgs]);
    // {"address":"127.0.0.1:PORT",...,"msg":"listening",...}
    const [line] = await waitForOutput(p, /^\{.*"msg":"listening".*\}$/m);
    p.address = JSON.parse(line).address;
    return p;
  }

  // nginx (deploy/nginx/start) serving deploy/dashboard in front of `upstreams` (HOST:PORT);
  // resolves with its https origin once it proxies /readyz.
  async startNginx(upstreams) {
    const port = await freePort();
    const p = this.start('nginx', path.join(repo, 'deploy/nginx/start'), [path.join(this.tmp, 'nginx'),
      String(port), path.join(repo, 'deploy/dashboard'), ...upstreams]);
    const origin = `https://127.0.0.1:${port}`;
    await until('nginx to proxy /readyz', async () => {
      if (p.code !== undefined) throw new Error(`nginx exited:\n${tail(p.out)}`);
      return (await get(`${origin}/readyz`, { insecure: true })).status === 200;
    }, 15000);
    p.origin = origin;
    return p;
  }

  // Stops what is left, those named in `order` first in that order; then prints the logs if the
  // test failed (keeping tmp), else removes tmp.
  async shutdown(order = []) {
    const rank = (p) => { const i = order.indexOf(p.name); return i < 0 ? order.length : i; };
    const left = [...this.procs].sort((a, b) => rank(a) - rank(b));
    for (const p of left) await stop(p, 'SIGTERM', 5000);
    if (this.failed) {
      for (const f of fs.readdirSync(this.tmp).filter((n) => n.endsWith('.log'))) {
        console.error(`---- ${f} (tail) ----\n${tail(fs.readFileSync(path.join(this.tmp, f), 'utf8'))}`);
      }
      for (const f of ['access.log', 'error.log']) {
        const file = path.join(this.tmp, 'nginx', f);
        if (fs.existsSync(file)) console.error(`---- nginx/${f} (tail) ----\n${tail(fs.readFileSync(file, 'utf8'), 15)}`);
      }
      console.error(`(kept ${this.tmp})`);
    } else {
      fs.rmSync(this.tmp, { recursive: true, force: true });
    }
  }
}

// End-to-end: the live dashboard in headless Chromium, over HTTPS/HTTP/2 through deploy/nginx,
// against two sse-gateway instances sharing a private redis-server, fed by `sse-publish --demo`.
// The page signs in, watches all devices, and must ride out first a drained (SIGTERM) and then a
// killed (SIGKILL) gateway by itself, missing nothing: the ids it received are compared with the
// user's replay log in Redis.
//
// Everything runs on free loopback ports in a private temp dir, and is stopped in after() even
// when a step fails (then the logs' tails are printed and the temp dir is kept).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { once } from 'node:events';
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
const repo = path.resolve(here, '../..');
const binDir = process.env.SSEGW_BIN_DIR || path.join(repo, 'build/bin');
const artifacts = path.join(repo, 'build/artifacts');

const procs = new Set();    // everything we started and have not seen exit
let tmp;                    // private dir: redis, nginx prefix, process logs
let failed = false;
const env = {};             // ports, key, user, processes
let browser;

// ---- Processes ----------------------------------------------------------------------------------

// Starts a process with its output kept in memory (for waiting on lines) and in tmp/<name>.log.
function start(name, cmd, args) {
  const child = spawn(cmd, args, { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] });
  const log = fs.createWriteStream(path.join(tmp, `${name}.log`), { flags: 'a' });
  const p = { name, child, out: '', waiters: new Set(), code: undefined, signal: undefined };
  const onData = (chunk) => {
    const s = chunk.toString();
    p.out += s;
    log.write(s);
    for (const w of p.waiters) w();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  p.exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      p.code = code;
      p.signal = signal;
      procs.delete(p);
      for (const w of p.waiters) w();
      resolve({ code, signal });
    });
    child.on('error', (err) => {   // e.g. ENOENT: report it as an exit
      p.out += `\nspawn error: ${err.message}\n`;
      p.code = -1;
      procs.delete(p);
      for (const w of p.waiters) w();
      resolve({ code: -1, signal: null });
    });
  });
  procs.add(p);
  return p;
}

// Resolves with the first match of `re` in the process's output; rejects if it exits first or
// the deadline passes.
function waitForOutput(p, re, ms = 10000) {
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

async function stop(p, signal = 'SIGTERM', ms = 12000) {
  if (p.code !== undefined || p.signal) return p.exited;
  p.child.kill(signal);
  const timer = setTimeout(() => p.child.kill('SIGKILL'), ms);
  const r = await p.exited;
  clearTimeout(timer);
  return r;
}

function tail(s, lines = 25) { return s.split('\n').slice(-lines).join('\n'); }

// Last resort if the runner itself dies: no orphan gateways, nginx or redis.
process.on('exit', () => { for (const p of procs) try { p.child.kill('SIGKILL'); } catch { /* gone */ } });

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

// ---- Small clients ------------------------------------------------------------------------------

function get(url, { insecure = false, timeout = 2000 } = {}) {
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

async function until(what, fn, ms = 10000, every = 100) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    try { if ((last = await fn())) return last; } catch (e) { last = e; }
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what} (last: ${last})`);
    await sleep(every);
  }
}

function redisCli(...args) {
  return new Promise((resolve, reject) => {
    execFile('redis-cli', ['-p', String(env.redisPort), ...args], { maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`redis-cli ${args[0]}: ${err.message} ${stderr}`));
      else resolve(stdout);
    });
  });
}

// Streams of kind "all" open on one gateway instance right now, from its own /metrics.
async function allStreamsOn(gw) {
  const { body } = await get(`http://${gw.address}/metrics`);
  const m = body.match(/^sse_gateway_connections\{stream="all"\} (\d+)/m);
  return m ? Number(m[1]) : 0;
}

// ---- Fixture --------------------------------------------------------------------------------------

async function startGateway(name, listen) {
  const p = start(name, path.join(binDir, 'sse-gateway'), [
    '--listen', listen, '--redis', `redis://127.0.0.1:${env.redisPort}`, '--instance-id', name,
    '--keepalive-interval', '2', '--threads', '1']);
  // {"address":"127.0.0.1:PORT",...,"msg":"listening",...}
  const [line] = await waitForOutput(p, /^\{.*"msg":"listening".*\}$/m);
  p.address = JSON.parse(line).address;
  return p;
}

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ssegw-browser-'));
  failed = true;   // until the fixture is up
  env.redisPort = await freePort();
  env.redis = start('redis', 'redis-server', ['--port', String(env.redisPort), '--bind', '127.0.0.1',
    '--save', '', '--appendonly', 'no', '--dir', tmp]);
  await waitForOutput(env.redis, /Ready to accept connections/);

  [env.gwA, env.gwB] = await Promise.all([startGateway('gw-a', '127.0.0.1:0'), startGateway('gw-b', '127.0.0.1:0')]);

  env.nginxPort = await freePort();
  env.nginx = start('nginx', path.join(repo, 'deploy/nginx/start'), [path.join(tmp, 'nginx'),
    String(env.nginxPort), path.join(repo, 'deploy/dashboard'), env.gwA.address, env.gwB.address]);
  env.origin = `https://127.0.0.1:${env.nginxPort}`;
  await until('nginx to proxy /readyz', async () => {
    if (env.nginx.code !== undefined) throw new Error(`nginx exited:\n${tail(env.nginx.out)}`);
    return (await get(`${env.origin}/readyz`, { insecure: true })).status === 200;
  }, 15000);

  env.publisher = start('publisher', path.join(binDir, 'sse-publish'),
    ['--demo', '--redis', `redis://127.0.0.1:${env.redisPort}`, '--rate', '5']);
  await waitForOutput(env.publisher, /^devices=.*$/m);
  env.key = env.publisher.out.match(/^key=(.+)$/m)[1];
  env.user = env.publisher.out.match(/^user=(.+)$/m)[1];
  env.devices = env.publisher.out.match(/^devices=(.+)$/m)[1].split(',');
  failed = false;
}, { timeout: 30000 });

after(async () => {
  if (browser) await browser.close().catch(() => {});
  // Publisher first (no new events), then nginx and the gateways, Redis last.
  const order = ['publisher', 'nginx', 'gw-a', 'gw-b', 'redis'];
  const left = [...procs].sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
  for (const p of left) await stop(p, 'SIGTERM', 5000);
  if (failed) {
    for (const f of fs.readdirSync(tmp).filter((n) => n.endsWith('.log'))) {
      console.error(`---- ${f} (tail) ----\n${tail(fs.readFileSync(path.join(tmp, f), 'utf8'))}`);
    }
    for (const f of ['access.log', 'error.log']) {
      const file = path.join(tmp, 'nginx', f);
      if (fs.existsSync(file)) console.error(`---- nginx/${f} (tail) ----\n${tail(fs.readFileSync(file, 'utf8'), 15)}`);
    }
    console.error(`(kept ${tmp})`);
  } else if (tmp) {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

// ---- The test --------------------------------------------------------------------------------------

test('dashboard streams live through nginx and misses nothing while gateways drain and die', { timeout: 80000 }, async () => {
  const t0 = Date.now();
  const mark = (what) => console.log(`# ${((Date.now() - t0) / 1000).toFixed(1)} s  ${what}`);
  try {
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--ignore-certificate-errors'],
    });
    const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 860 } });
    const page = await context.newPage();
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) pageErrors.push(m.text()); });
    mark('browser up');

    await page.goto(`${env.origin}/`);
    assert.equal(await page.evaluate(() => performance.getEntriesByType('navigation')[0].nextHopProtocol), 'h2',
      'the dashboard is served over HTTP/2');
    await page.fill('#key', env.key);
    await page.click('#sign-in-button');
    await page.click('#pick-all');
    assert.ok(!page.url().includes(env.key), 'the key never reaches the address bar');

    const dash = () => page.evaluate(() => ({
      state: window.__dashboard.state, reconnects: window.__dashboard.reconnects,
      n: window.__dashboard.received.length, lastEventId: window.__dashboard.lastEventId,
    }));
    await page.waitForFunction(() => window.__dashboard.state === 'open' && window.__dashboard.received.length > 5,
      null, { timeout: 15000 });
    for (const d of env.devices) await page.locator(`.card[data-device="${d}"]`).waitFor({ state: 'visible', timeout: 5000 });
    assert.equal(await page.locator('.card').count(), env.devices.length);
    mark(`live: ${JSON.stringify(await dash())}`);

    // Stops whichever instance holds the page's stream, then waits until the page is open again
    // through the other one and has taken a few more live results.
    const gateways = { 'gw-a': env.gwA, 'gw-b': env.gwB };
    const failOver = async (signal, expectReconnects) => {
      const holder = await until('the page\'s stream on one instance', async () => {
        const counts = await Promise.all(Object.values(gateways).map(allStreamsOn));
        return counts.reduce((a, b) => a + b, 0) === 1 ? Object.values(gateways)[counts.indexOf(1)] : null;
      }, 5000);
      const before = (await dash()).n;
      const stopAt = Date.now();
      const { code, signal: sig } = await stop(holder, signal);
      if (signal === 'SIGTERM') assert.equal(code, 0, `${holder.name} drains and exits 0 on SIGTERM`);
      else assert.equal(sig, 'SIGKILL');
      mark(`${holder.name} stopped with ${signal} (exited after ${Date.now() - stopAt} ms)`);
      await page.waitForFunction(([r, n]) => window.__dashboard.reconnects >= r && window.__dashboard.state === 'open' &&
        window.__dashboard.received.length > n + 5, [expectReconnects, before], { timeout: 20000 });
      mark(`back: ${JSON.stringify(await dash())}`);
      return holder;
    };

    // 1. A drain: the gateway sends a jittered retry: and ends the stream cleanly.
    const drained = await failOver('SIGTERM', 1);
    // Same port again, so nginx has both upstreams for the next step.
    gateways[drained.name] = await startGateway(drained.name, drained.address);
    mark(`${drained.name} restarted`);
    // 2. A crash: the connection just breaks, mid-stream.
    await failOver('SIGKILL', 2);

    // Live data on screen. For the README's copy, let the charts fill up first (~30 s more).
    const update = process.env.SSEGW_UPDATE_SCREENSHOT === '1';
    await page.waitForFunction((n) => window.__dashboard.received.length > n, update ? 150 : 30,
      { timeout: update ? 40000 : 10000 });
    fs.mkdirSync(artifacts, { recursive: true });
    const shot = await page.screenshot({ path: path.join(artifacts, 'dashboard.png'), fullPage: true });
    if (update) fs.writeFileSync(path.join(repo, 'deploy/dashboard/screenshot.png'), shot);
    mark('screenshot saved');

    // Every id of the user's replay log between the first and the last the page received has
    // arrived exactly once, in log order.
    const received = await page.evaluate(() => window.__dashboard.received);
    const first = received[0], last = received[received.length - 1];
    const ids = (await redisCli('EVAL',
      "local ids = {} for i, e in ipairs(redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[2])) do ids[i] = e[1] end return ids",
      '1', `analysis:user:${env.user}:log`, first, last)).split('\n').filter(Boolean);
    assert.ok(ids.length > 30, `enough events in the log (${ids.length})`);
    const counts = new Map();
    for (const id of received) counts.set(id, (counts.get(id) || 0) + 1);
    const dupes = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
    assert.deepEqual(dupes, [], 'no id arrived twice');
    const missing = ids.filter((id) => !counts.has(id));
    assert.deepEqual(missing, [], 'no id of the log was missed');
    assert.deepEqual(received, ids, 'the page received exactly the log, in order');
    const final = await dash();
    assert.equal(final.state, 'open');
    assert.ok(final.reconnects >= 2);
    assert.deepEqual(pageErrors, [], 'no script errors or CSP violations');
    mark(`verified ${received.length} ids ${first} .. ${last}, reconnects ${final.reconnects}`);

    // No log holds the key: the page streams with one-time tickets, nginx redacts ?ticket= (and
    // ?access_token=) in its access log and keeps request lines out of the error log on /api/;
    // the gateways never log keys.
    await context.close();
    const accessLog = fs.readFileSync(path.join(tmp, 'nginx/access.log'), 'utf8');
    assert.match(accessLog, /"GET \/api\/v1\/devices\/analysis\/stream\/all\?[^"]*ticket=\[REDACTED\][^"]* HTTP\/2\.0" 200/);
    for (const f of ['nginx/access.log', 'nginx/error.log', 'gw-a.log', 'gw-b.log', 'nginx.log']) {
      const file = path.join(tmp, f);
      if (fs.existsSync(file)) assert.ok(!fs.readFileSync(file, 'utf8').includes(env.key), `${f} does not contain the key`);
    }
  } catch (e) {
    failed = true;
    throw e;
  }
});

test('a wrong key is refused with the reason shown; one device streams only that device', { timeout: 30000 }, async () => {
  try {
    browser ??= await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--ignore-certificate-errors'] });
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    await page.goto(`${env.origin}/`);

    // EventSource hides the 401; the page finds it out and stops instead of retrying for ever.
    await page.fill('#key', 'sk_not_a_key');
    await page.click('#sign-in-button');
    await page.waitForFunction(() => window.__dashboard.state === 'closed' &&
      document.querySelector('#notice-title').textContent === 'UNAUTHORIZED', null, { timeout: 10000 });
    assert.equal(await page.locator('#notice').isVisible(), true);

    await page.click('#sign-out');
    await page.fill('#key', env.key);
    await page.click('#sign-in-button');
    const device = env.devices[1];
    await page.fill('#device-input', device);
    await page.click('#watch-device');
    await page.waitForFunction(() => window.__dashboard.state === 'open' && window.__dashboard.received.length >= 3,
      null, { timeout: 10000 });
    assert.deepEqual(await page.evaluate(() => window.__dashboard.devices), [device]);
    assert.equal(await page.textContent('#stream-path'), `/api/v1/devices/${device}/analysis/stream`);
    // Every id it got is in that device's own log.
    const received = await page.evaluate(() => window.__dashboard.received);
    const ids = (await redisCli('EVAL',
      "local ids = {} for i, e in ipairs(redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[2])) do ids[i] = e[1] end return ids",
      '1', `analysis:device:${device}:log`, received[0], received[received.length - 1])).split('\n').filter(Boolean);
    assert.deepEqual(received, ids);
    await context.close();
  } catch (e) {
    failed = true;
    throw e;
  }
});

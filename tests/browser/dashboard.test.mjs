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
import fs from 'node:fs';
import path from 'node:path';
import { Stack, artifacts, binDir, get, launchChromium, repo, stop, until, waitForOutput } from './stack.mjs';

let stack;                  // private temp dir and every process started
const env = {};             // ports, key, user, processes
let browser;

// Streams of kind "all" open on one gateway instance right now, from its own /metrics.
async function allStreamsOn(gw) {
  const { body } = await get(`http://${gw.address}/metrics`);
  const m = body.match(/^sse_gateway_connections\{stream="all"\} (\d+)/m);
  return m ? Number(m[1]) : 0;
}

const startGateway = (name, listen) => stack.startGateway(name, listen);

// ---- Fixture --------------------------------------------------------------------------------------

before(async () => {
  stack = new Stack('browser');
  stack.failed = true;   // until the fixture is up
  env.redis = await stack.startRedis();

  [env.gwA, env.gwB] = await Promise.all([startGateway('gw-a', '127.0.0.1:0'), startGateway('gw-b', '127.0.0.1:0')]);

  env.nginx = await stack.startNginx([env.gwA.address, env.gwB.address]);
  env.origin = env.nginx.origin;

  env.publisher = stack.start('publisher', path.join(binDir, 'sse-publish'),
    ['--demo', '--redis', stack.redisUrl, '--rate', '5']);
  await waitForOutput(env.publisher, /^devices=.*$/m);
  env.key = env.publisher.out.match(/^key=(.+)$/m)[1];
  env.user = env.publisher.out.match(/^user=(.+)$/m)[1];
  env.devices = env.publisher.out.match(/^devices=(.+)$/m)[1].split(',');
  stack.failed = false;
}, { timeout: 30000 });

after(async () => {
  if (browser) await browser.close().catch(() => {});
  // Publisher first (no new events), then nginx and the gateways, Redis last.
  if (stack) await stack.shutdown(['publisher', 'nginx', 'gw-a', 'gw-b', 'redis']);
});

// ---- The test --------------------------------------------------------------------------------------

test('dashboard streams live through nginx and misses nothing while gateways drain and die', { timeout: 80000 }, async () => {
  const t0 = Date.now();
  const mark = (what) => console.log(`# ${((Date.now() - t0) / 1000).toFixed(1)} s  ${what}`);
  try {
    browser = await launchChromium();
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
    const ids = (await stack.redisCli('EVAL',
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
    const accessLog = fs.readFileSync(path.join(stack.tmp, 'nginx/access.log'), 'utf8');
    assert.match(accessLog, /"GET \/api\/v1\/devices\/analysis\/stream\/all\?[^"]*ticket=\[REDACTED\][^"]* HTTP\/2\.0" 200/);
    for (const f of ['nginx/access.log', 'nginx/error.log', 'gw-a.log', 'gw-b.log', 'nginx.log']) {
      const file = path.join(stack.tmp, f);
      if (fs.existsSync(file)) assert.ok(!fs.readFileSync(file, 'utf8').includes(env.key), `${f} does not contain the key`);
    }
  } catch (e) {
    stack.failed = true;
    throw e;
  }
});

test('a wrong key is refused with the reason shown; one device streams only that device', { timeout: 30000 }, async () => {
  try {
    browser ??= await launchChromium(['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--ignore-certificate-errors']);
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
    const ids = (await stack.redisCli('EVAL',
      "local ids = {} for i, e in ipairs(redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[2])) do ids[i] = e[1] end return ids",
      '1', `analysis:device:${device}:log`, received[0], received[received.length - 1])).split('\n').filter(Boolean);
    assert.deepEqual(received, ids);
    await context.close();
  } catch (e) {
    stack.failed = true;
    throw e;
  }
});

// End-to-end: the webhook page (deploy/dashboard/webhook.html) in headless Chromium, over HTTPS
// through deploy/nginx, against one sse-gateway serving the management API, one sse-webhookd
// delivering, a private redis-server, and a real HTTP receiver in this process whose answer the
// test switches between 200 and 500. The page creates the webhook, sends a test, shows a
// delivered event, a failed one with its error and the webhook disabled by it (with the reason),
// enabled again from the page, a manual retry of the failure that succeeds, the rebuilt request
// headers of that retry (compared with what the receiver got), filters, and a new secret.
//
// Everything runs on free loopback ports in a private temp dir, and is stopped in after() even
// when a step fails (then the logs' tails are printed and the temp dir is kept).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { Stack, artifacts, binDir, get, launchChromium, repo, until, waitForOutput } from './stack.mjs';

let stack;
let browser;
const env = {};

// ---- The receiver -------------------------------------------------------------------------------

// Answers every POST with `receiver.status` and keeps what it got.
const receiver = { status: 200, requests: [], server: null, url: null };

function startReceiver() {
  receiver.server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      receiver.requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(receiver.status, { 'Content-Type': 'text/plain' });
      res.end(receiver.status === 200 ? 'ok' : 'receiver failure');
    });
  });
  return new Promise((resolve) => receiver.server.listen(0, '127.0.0.1', () => {
    receiver.url = `http://127.0.0.1:${receiver.server.address().port}/hooks/queue`;
    resolve();
  }));
}

// ---- Processes ----------------------------------------------------------------------------------

function run(cmd, args) {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd: stack.tmp }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${path.basename(cmd)} ${args.join(' ')}: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

// Publishes a webhook event for the demo user; resolves with its event id.
async function publishAlert(alertEventId) {
  const data = { ruleId: 'rule-1', alertEventId, severity: 'warning', threshold: 10, actualValue: 15,
    message: 'queue <b>longer</b> than 10' };
  const out = await run(path.join(binDir, 'sse-publish'), ['--event', 'alert_triggered', '--redis', stack.redisUrl,
    '--user', env.user, '--device', env.device, JSON.stringify(data)]);
  return out.trim();
}

// Publishes one alert_triggered event per `data` object (sse-publish reads them from stdin).
function publishMany(datas) {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(binDir, 'sse-publish'), ['--event', 'alert_triggered', '--redis', stack.redisUrl,
      '--user', env.user, '--device', env.device], { cwd: stack.tmp, stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c) => { err += c; });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`sse-publish exited ${code}: ${err}`))));
    child.stdin.end(datas.map((d) => JSON.stringify(d)).join('\n') + '\n');
  });
}

async function startWebhookd(keyFile) {
  const p = stack.start('webhookd', path.join(binDir, 'sse-webhookd'), ['--listen', '127.0.0.1:0',
    '--redis', stack.redisUrl, '--instance-id', 'wd-1', '--webhook-secret-key-file', keyFile,
    '--webhook-allow-http', '--webhook-allow-net', '127.0.0.0/8', '--retry-schedule', '1,1,1,1,1',
    '--disable-after-failures', '1']);
  const [line] = await waitForOutput(p, /^\{.*"msg":"listening".*\}$/m);
  const address = JSON.parse(line).address;
  await until('sse-webhookd to be ready', async () => (await get(`http://${address}/readyz`)).status === 200, 10000, 50);
  return p;
}

// The demo user and a key with webhook:read and webhook:write (sse-publish --demo seeds both).
async function seedKey() {
  const out = await run(path.join(binDir, 'sse-publish'), ['--demo', '--redis', stack.redisUrl, '--count', '1',
    '--rate', '100', '--key', `sk_test_${crypto.randomBytes(12).toString('hex')}`]);
  env.key = out.match(/^key=(.+)$/m)[1];
  env.user = out.match(/^user=(.+)$/m)[1];
  env.device = out.match(/^devices=([^,\n]+)/m)[1];
}

before(async () => {
  stack = new Stack('webhook-page');
  stack.failed = true;   // until the fixture is up
  const keyFile = path.join(stack.tmp, 'webhook.keys');
  fs.writeFileSync(keyFile, `${crypto.randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  await Promise.all([stack.startRedis(), startReceiver()]);
  const [gw] = await Promise.all([
    stack.startGateway('gw', '127.0.0.1:0', ['--webhook-secret-key-file', keyFile, '--webhook-allow-http',
      '--webhook-allow-net', '127.0.0.0/8']),
    startWebhookd(keyFile),
    seedKey(),
  ]);
  [env.nginx, browser] = await Promise.all([stack.startNginx([gw.address]), launchChromium()]);
  env.origin = env.nginx.origin;
  stack.failed = false;
}, { timeout: 30000 });

after(async () => {
  if (browser) await browser.close().catch(() => {});
  if (receiver.server) receiver.server.close();
  if (stack) await stack.shutdown(['nginx', 'gw', 'webhookd', 'redis']);
});

// ---- The test --------------------------------------------------------------------------------------

test('the webhook page configures, tests, logs, retries and re-enables a webhook', { timeout: 60000 }, async () => {
  const t0 = Date.now();
  const mark = (what) => console.log(`# ${((Date.now() - t0) / 1000).toFixed(1)} s  ${what}`);
  try {
    const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) pageErrors.push(m.text()); });

    // A new row may need a refresh: the page refreshes by itself every 5 s (1 s while something is
    // pending); pressing Refresh is what a user waiting for it does.
    const waitForLog = async (selector, what) => {
      const row = page.locator(selector);
      await until(what, async () => {
        if (await row.count()) return true;
        await page.click('#log-refresh');
        return row.first().waitFor({ timeout: 400 }).then(() => true, () => false);
      }, 10000, 0);
      return row.first();
    };

    fs.mkdirSync(artifacts, { recursive: true });

    // The whole page from the top (scrolled, the sticky top bar would land mid-page).
    const fullShot = async (name) => {
      await page.evaluate(() => window.scrollTo(0, 0));
      return page.screenshot({ path: path.join(artifacts, name), fullPage: true });
    };

    // 1. Sign in and create the webhook: one attempt only, so a failure is final at once.
    await page.goto(`${env.origin}/webhook.html`);
    await page.fill('#key', env.key);
    await page.click('#sign-in-button');
    await page.locator('#no-webhook').waitFor({ state: 'visible' });
    await page.locator('#event-types input[value="alert_triggered"]').waitFor();
    assert.equal(await page.locator('#event-types input[type="checkbox"]').count(), 15, 'the catalogue\'s 15 types');
    await page.fill('#wh-url', receiver.url);
    await page.fill('#wh-name', 'Queue alerts');
    await page.fill('#wh-timeout', '3000');
    await page.fill('#wh-retries', '0');
    await page.click('#save');
    await page.locator('#wh-state', { hasText: 'Enabled' }).waitFor();
    assert.match(await page.textContent('#settings-message'), /Webhook created/);
    assert.match(await page.textContent('#secret'), /^[0-9a-f]{64}$/, 'the new secret is shown once created');
    assert.ok(!page.url().includes(env.key), 'the key never reaches the address bar');
    mark('webhook created');

    // 2. A test send, and its result.
    await page.click('#send-test');
    await page.locator('#test-result[data-status="success"]').waitFor();
    assert.equal(await page.textContent('#test-http'), 'HTTP 200');
    assert.match(await page.textContent('#test-time'), /^\d+ ms$/);
    assert.equal(receiver.requests.at(-1).headers['x-saas-event'], 'webhook_test');
    mark('test sent');

    // 3. An alert event is delivered and logged.
    await publishAlert('alert-1');
    const ok = await waitForLog('tr.record[data-type="alert_triggered"][data-status="success"]', 'the delivered alert in the log');
    assert.equal(await ok.locator('td.http').textContent(), '200');
    mark('delivery logged');

    // 4. The receiver fails: the failure and its error are logged, and (--disable-after-failures 1)
    //    the webhook is disabled, which the page shows with the reason; a retry is refused then.
    //    Enabled again and the receiver back, Retry sends the event again (a manual attempt of
    //    the same delivery) with success.
    receiver.status = 500;
    const failedEventId = await publishAlert('alert-2');
    const failed = await waitForLog('tr.record[data-type="alert_triggered"][data-status="failed"]', 'the failed alert in the log');
    assert.equal(await failed.locator('td.http').textContent(), '500');
    assert.equal(await failed.locator('td.error-cell').textContent(), 'http_status: HTTP 500');
    mark('failure logged');
    await page.locator('#disabled-banner').waitFor({ state: 'visible' });
    assert.match(await page.textContent('#disabled-text'),
      /^Since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d: it was disabled automatically after 1 failed delivery in a row\.$/);
    assert.equal(await page.textContent('#wh-state'), 'Disabled');
    await failed.locator('button[data-retry]').click();
    await page.locator('#log-message', { hasText: 'CONFLICT' }).waitFor();
    if (process.env.SSEGW_UPDATE_SCREENSHOT === '1') await fullShot('webhook-disabled.png');
    await page.click('#enable-again');
    await page.locator('#disabled-banner').waitFor({ state: 'hidden' });
    mark('auto-disabled, retry refused, enabled again');
    receiver.status = 200;
    await failed.locator('button[data-retry]').click();
    await page.locator('#log-message', { hasText: 'Retry scheduled' }).waitFor();
    const retried = page.locator('tr.record[data-trigger="manual"][data-status="success"]');
    await retried.waitFor({ timeout: 10000 });   // the page refreshes each second while it is pending
    mark('manual retry succeeded');

    // The retry's detail: its headers, rebuilt from the record, are the ones the receiver got
    // (signatures aside, which are not stored), and so are the payload and response body.
    const sent = receiver.requests.at(-1);
    assert.equal(sent.headers['webhook-id'], failedEventId);
    await retried.click();
    await page.locator('#detail-headers tr[data-header="webhook-id"]').waitFor();
    const header = async (name) => page.textContent(`#detail-headers tr[data-header="${name}"] td`);
    for (const name of ['webhook-id', 'x-saas-delivery-id', 'x-saas-event', 'content-length', 'host', 'user-agent',
      'webhook-timestamp', 'x-saas-timestamp']) {
      assert.equal(await header(name), sent.headers[name], `${name} as sent`);
    }
    assert.match(await header('webhook-signature'), /not stored/);
    assert.deepEqual(JSON.parse(await page.textContent('#detail-payload')), JSON.parse(sent.body));
    assert.equal(await page.locator('#detail-payload *').count(), 0, 'the payload\'s <b> is text, not markup');
    assert.equal(await page.textContent('#detail-response'), 'ok');
    await page.screenshot({ path: path.join(artifacts, 'webhook-detail.png') });
    await page.click('#detail-close');

    // Filters: only the failed record.
    await page.selectOption('#f-status', 'failed');
    await page.click('#f-apply');
    await page.locator('#page-info', { hasText: '1 record' }).waitFor();
    assert.deepEqual(await page.locator('tr.record').evaluateAll((rows) => rows.map((r) => r.dataset.status)), ['failed']);
    await page.click('#f-clear');
    await page.locator('#page-info', { hasText: '4 records' }).waitFor();

    // 5. Disabled by hand, and enabled again, with the settings' button.
    await page.click('#toggle-enabled');
    await page.locator('#disabled-banner').waitFor({ state: 'visible' });
    assert.match(await page.textContent('#disabled-text'), /disabled by hand/);
    await page.click('#toggle-enabled');
    await page.locator('#disabled-banner').waitFor({ state: 'hidden' });
    await page.locator('#wh-state', { hasText: 'Enabled' }).waitFor();
    mark('disabled and enabled by hand');

    // A new secret: the old one keeps signing webhook-signature for the grace period, shown.
    const oldSecret = await page.textContent('#secret');
    page.once('dialog', (d) => d.accept());
    await page.click('#regenerate-secret');
    await page.locator('#secret-message', { hasText: 'New secret made' }).waitFor();
    assert.notEqual(await page.textContent('#secret'), oldSecret);
    assert.match(await page.textContent('#secret-grace'), /previous secret still signs .* until \d{4}-\d\d-\d\d/);
    await page.click('#reveal-secret');   // hide it again before the screenshot
    await page.locator('#secret-values').waitFor({ state: 'hidden' });

    const shot = await fullShot('webhook-page.png');
    if (process.env.SSEGW_UPDATE_SCREENSHOT === '1') {
      fs.writeFileSync(path.join(repo, 'deploy/dashboard/webhook-screenshot.png'), shot);
    }
    mark('screenshot saved');

    // Pages: 17 more deliveries make 21 records, 20 a page.
    await publishMany(Array.from({ length: 17 }, (_, i) => ({ alertEventId: `bulk-${i}`, severity: 'info' })));
    await waitForLog('#page-info:has-text("21 records")', 'the log to count 21 records');
    assert.equal(await page.textContent('#page-info'), 'Page 1 of 2 · 21 records');
    assert.equal(await page.locator('tr.record').count(), 20);
    await page.click('#page-next');
    await page.locator('#page-info', { hasText: 'Page 2 of 2' }).waitFor();
    assert.equal(await page.locator('tr.record').count(), 1);
    assert.equal(await page.locator('tr.record').getAttribute('data-type'), 'webhook_test', 'the oldest record last');
    await page.click('#page-prev');
    await page.locator('#page-info', { hasText: 'Page 1 of 2' }).waitFor();
    mark('pages');

    // A big PATCH (100 device ids of 190 bytes: ~19 KB) passes nginx to the gateway.
    const many = Array.from({ length: 100 }, (_, i) => `${String(i).padStart(3, '0')}-${'d'.repeat(186)}`);
    await page.fill('#wh-devices', many.join(', '));
    await page.click('#save');
    await page.locator('#settings-message', { hasText: 'Saved at' }).waitFor();
    assert.equal(await page.inputValue('#wh-devices'), many.join(', '));

    // Signing out forgets the key and the page's data; a wrong key is sent back with the reason.
    await page.click('#sign-out');
    await page.locator('#sign-in-panel').waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.getItem('ssegw.apiKey')), null);
    assert.equal(await page.locator('#webhook-view').isHidden(), true);
    await page.fill('#key', 'sk_not_a_key');
    await page.click('#sign-in-button');
    await page.locator('#sign-in-message', { hasText: 'UNAUTHORIZED' }).waitFor();
    assert.equal(await page.locator('#log-rows tr').count(), 0);

    assert.deepEqual(pageErrors, [], 'no script errors or CSP violations');
    await context.close();
    const accessLog = fs.readFileSync(path.join(stack.tmp, 'nginx/access.log'), 'utf8');
    assert.match(accessLog, /"POST \/api\/v1\/users\/me\/webhook\/deliveries\/[0-9a-f-]+\/retry HTTP\/2\.0" 202/);
    for (const f of ['nginx/access.log', 'nginx/error.log', 'gw.log', 'webhookd.log']) {
      const file = path.join(stack.tmp, f);
      if (fs.existsSync(file)) assert.ok(!fs.readFileSync(file, 'utf8').includes(env.key), `${f} does not contain the key`);
    }
  } catch (e) {
    stack.failed = true;
    throw e;
  }
});

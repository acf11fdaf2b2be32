// Runs the receiver examples of docs/WEBHOOKS.md exactly as published (the blocks marked
// <!-- verify:KIND -->) against the headers our sender's signing code produces (sign_vectors),
// and the platform's original receiver snippet against X-SaaS-Signature. A doc example that stops
// matching what we send fails here, not at a customer's.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { verifyWebhook } from './seed_verifier.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');
const signVectors = process.env.SSEGW_SIGN_VECTORS ?? join(repo, 'build', 'bin', 'sign_vectors');
const work = mkdtempSync(join(tmpdir(), 'webhook-docs-'));
after(() => rmSync(work, { recursive: true, force: true }));


const SECRET = 'test_secret_0123456789abcdef';
const OLD_SECRET = 'old_secret_fedcba9876543210';
const WRONG_SECRET = 'wrong_secret_0123456789abcdef';
const VECTOR_TS = 1769682605;
const ALERT_ID = '4f9b2c3e-8a1d-4e6f-9b7a-2c5d8e1f3a40';
const ALERT_BODY =
  '{"id":"4f9b2c3e-8a1d-4e6f-9b7a-2c5d8e1f3a40","type":"alert_triggered","timestamp":"2026-01-29T10:30:00.000Z",' +
  '"data":{"ruleId":"rule-1","deviceId":"cam-1","severity":"warning","threshold":10,"actualValue":15,' +
  '"message":"排隊人數 (15) 超過閾值 (10)","snapshotUrls":["https://storage.example.com/snapshot.jpg"]}}';
const ANNOUNCEMENT_ID = '019c0a60-1f2e-7d3c-8b4a-5968778695a4';
const ANNOUNCEMENT_BODY = JSON.stringify({
  id: ANNOUNCEMENT_ID,
  type: 'system_announcement',
  timestamp: '2026-11-29T08:00:00.000Z',
  data: {
    title: 'Wartung am Sonntag — 維護通知 ☕ 😀',
    details: 'tab\there, "quoted", back\\slash, \u0001, line\u2028separator, é',
    sceneId: 'scène-1',
    window: [1.5, 100, 1e21],
  },
});
const tamper = (body) => body.replace('"actualValue":15', '"actualValue":16');
const now = () => Math.floor(Date.now() / 1000);

let bodyFiles = 0;
function sign({ secret, previous, id, timestamp, body }) {
  const file = join(work, `body-${bodyFiles++}`);
  writeFileSync(file, body);
  const args = ['--secret', secret, '--id', id, '--timestamp', String(timestamp), '--body', file];
  if (previous) args.push('--previous-secret', previous);
  return JSON.parse(execFileSync(signVectors, args, { encoding: 'utf8' }));
}

// The request as the sender builds it; `which` leaves out one scheme's headers so each
// verification path of an example is exercised on its own.
function requestHeaders(signed, type, which) {
  const headers = { 'Content-Type': 'application/json', 'X-SaaS-Event': type,
                    'X-SaaS-Delivery-Id': '019c0a61-0000-7000-8000-000000000001' };
  if (which !== 'standard') {
    headers['X-SaaS-Timestamp'] = signed['X-SaaS-Timestamp'];
    headers['X-SaaS-Signature'] = signed['X-SaaS-Signature'];
  }
  if (which !== 'saas') {
    headers['webhook-id'] = signed['webhook-id'];
    headers['webhook-timestamp'] = signed['webhook-timestamp'];
    headers['webhook-signature'] = signed['webhook-signature'];
  }
  return headers;
}

async function post(receiver, body, headers) {
  const res = await fetch(`http://127.0.0.1:${receiver.port}/hooks/saas?x=1`,
                          { method: 'POST', body: Buffer.from(body, 'utf8'), headers });
  await res.arrayBuffer();
  return res.status;
}

function extractExamples(markdown) {
  const found = {};
  for (const m of markdown.matchAll(/<!-- verify:([a-z]+) -->\n```(\w+)\n([\s\S]*?)\n```\n/g)) {
    assert.ok(!(m[1] in found), `two blocks marked verify:${m[1]}`);
    found[m[1]] = { lang: m[2], code: `${m[3]}\n` };
  }
  return found;
}
const markdown = readFileSync(join(repo, 'docs', 'WEBHOOKS.md'), 'utf8');
const examples = extractExamples(markdown);

const kinds = {
  node: { lang: 'js', file: 'receiver.js', command: 'node', checksSaaS: true,
          env: (secret) => ({ WEBHOOK_SECRET: secret }) },
  standardwebhooks: { lang: 'js', file: 'receiver-standardwebhooks.js', command: 'node', checksSaaS: false,
                      env: (secret) => ({ STANDARD_WEBHOOKS_SECRET: standardWebhooksSecret(secret) }) },
  python: { lang: 'python', file: 'receiver.py', command: 'python3', checksSaaS: true,
            env: (secret) => ({ WEBHOOK_SECRET: secret }) },
};

function standardWebhooksSecret(secret) {
  return sign({ secret, id: 'x', timestamp: 0, body: '' }).standardWebhooksSecret;
}

// Starts one example with PORT=0 and waits for the port it prints.
function startReceiver(kind, secret) {
  const spec = kinds[kind];
  const path = join(work, spec.file);
  writeFileSync(path, examples[kind].code);
  const child = spawn(spec.command, [path], {
    env: { ...process.env, ...spec.env(secret), PORT: '0', NODE_PATH: join(here, 'node_modules') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-4000); });
  return new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => { child.kill(); reject(new Error(`${kind}: no port within 5 s\n${stderr}`)); }, 5000);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`${kind} exited ${code}\n${stderr}`)); });
    child.stdout.on('data', (d) => {
      stdout += d;
      const m = stdout.match(/listening on port (\d+)/);
      if (m) { clearTimeout(timer); resolve({ child, port: Number(m[1]) }); }
    });
  });
}

test('the documentation marks one receiver example of each kind, and shows the vector body', () => {
  assert.deepEqual(Object.keys(examples).sort(), Object.keys(kinds).sort());
  for (const [kind, spec] of Object.entries(kinds)) assert.equal(examples[kind].lang, spec.lang, kind);
  // Its test vectors refer to the body shown on the page: that must be these very bytes.
  assert.ok(markdown.includes(`\n${ALERT_BODY}\n`));
});

test('sign_vectors prints the published test vectors', () => {
  assert.equal(Buffer.byteLength(ALERT_BODY), 316);
  assert.equal(crypto.createHash('sha256').update(ALERT_BODY).digest('hex'),
               '3ece39dae58b248aeae79453b49152a0ae3e31a1108aedccbeb801567bffdd12');
  const signed = sign({ secret: SECRET, previous: OLD_SECRET, id: ALERT_ID, timestamp: VECTOR_TS, body: ALERT_BODY });
  assert.deepEqual(signed, {
    'X-SaaS-Signature': 'sha256=b7ef54e7a2ac8afabf03096d6dd042d28244349190a3564138fef783f2353b8a',
    'X-SaaS-Timestamp': String(VECTOR_TS),
    'webhook-id': ALERT_ID,
    'webhook-timestamp': String(VECTOR_TS),
    'webhook-signature': 'v1,zR73vCW+tcl6ESWI2Sj1L4eyza7+QUvYdRm8aoqTEzE= v1,PpZJ7rUhxkNS8+bfFrcXgzGEO+dShK1nv9IZ/1zo7RQ=',
    standardWebhooksSecret: 'whsec_dGVzdF9zZWNyZXRfMDEyMzQ1Njc4OWFiY2RlZg==',
  });
});

test("the platform's original verifier accepts our X-SaaS-Signature", () => {
  for (const [body, timestamp] of [[ALERT_BODY, VECTOR_TS], [ALERT_BODY, now()], [ANNOUNCEMENT_BODY, now()]]) {
    assert.equal(JSON.stringify(JSON.parse(body)), body, 'the body is in JSON.stringify form');
    const id = JSON.parse(body).id;
    const signed = sign({ secret: SECRET, previous: OLD_SECRET, id, timestamp, body });
    assert.ok(verifyWebhook(JSON.parse(body), signed['X-SaaS-Signature'], signed['X-SaaS-Timestamp'], SECRET));
    assert.ok(!verifyWebhook(JSON.parse(body), signed['X-SaaS-Signature'], signed['X-SaaS-Timestamp'], OLD_SECRET));
    const altered = { ...JSON.parse(body), type: 'device_offline' };
    assert.ok(!verifyWebhook(altered, signed['X-SaaS-Signature'], signed['X-SaaS-Timestamp'], SECRET));
  }
});

for (const kind of Object.keys(kinds)) {
  describe(`docs example: ${kind}`, () => {
    const spec = kinds[kind];
    // Each header set a receiver of this kind reads on its own.
    const headerSets = spec.checksSaaS ? ['both', 'saas', 'standard'] : ['both', 'standard'];
    let current, old;
    before(async () => { [current, old] = await Promise.all([startReceiver(kind, SECRET), startReceiver(kind, OLD_SECRET)]); });
    after(() => { for (const r of [current, old]) r?.child.kill(); });

    test('accepts a request signed with its secret', async () => {
      for (const [id, body] of [[ALERT_ID, ALERT_BODY], [ANNOUNCEMENT_ID, ANNOUNCEMENT_BODY]]) {
        const signed = sign({ secret: SECRET, id, timestamp: now(), body });
        for (const which of headerSets)
          assert.equal(await post(current, body, requestHeaders(signed, JSON.parse(body).type, which)), 204, `${id} ${which}`);
      }
    });

    test('during a rotation, the new and the old secret both verify through webhook-signature', async () => {
      const signed = sign({ secret: SECRET, previous: OLD_SECRET, id: ALERT_ID, timestamp: now(), body: ALERT_BODY });
      assert.equal(signed['webhook-signature'].split(' ').length, 2);
      for (const receiver of [current, old])
        for (const which of ['both', 'standard'])
          assert.equal(await post(receiver, ALERT_BODY, requestHeaders(signed, 'alert_triggered', which)), 204,
                       `${receiver === current ? 'new' : 'old'} secret, ${which}`);
      if (spec.checksSaaS) {
        // X-SaaS-Signature carries only the newest signature.
        assert.equal(await post(current, ALERT_BODY, requestHeaders(signed, 'alert_triggered', 'saas')), 204);
        assert.equal(await post(old, ALERT_BODY, requestHeaders(signed, 'alert_triggered', 'saas')), 401);
      }
    });

    test('refuses a tampered body', async () => {
      const signed = sign({ secret: SECRET, previous: OLD_SECRET, id: ALERT_ID, timestamp: now(), body: ALERT_BODY });
      for (const receiver of [current, old])
        for (const which of headerSets)
          assert.equal(await post(receiver, tamper(ALERT_BODY), requestHeaders(signed, 'alert_triggered', which)), 401, which);
    });

    test('refuses a signature made with another secret', async () => {
      const signed = sign({ secret: WRONG_SECRET, id: ALERT_ID, timestamp: now(), body: ALERT_BODY });
      for (const which of headerSets)
        assert.equal(await post(current, ALERT_BODY, requestHeaders(signed, 'alert_triggered', which)), 401, which);
    });

    test('refuses a timestamp 10 minutes old', async () => {
      const signed = sign({ secret: SECRET, id: ALERT_ID, timestamp: now() - 600, body: ALERT_BODY });
      for (const which of headerSets)
        assert.equal(await post(current, ALERT_BODY, requestHeaders(signed, 'alert_triggered', which)), 401, which);
    });
  });
}

// Verifies requests a receiver got from sse-webhookd, two independent ways: the npm
// `standardwebhooks` package (webhook-signature, with standardWebhooksSecret) and the platform's
// original Node verifier (X-SaaS-Signature over JSON.stringify of the parsed body).
//   node verify_received.mjs FILE
// FILE: {"secret": "...", "requests": [{"headers": {"name": "value", …}, "body": "…"}, …]}
// Prints one line per request; exit 0 only when every request verifies both ways.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { verifyWebhook } from './seed_verifier.mjs';

const require = createRequire(import.meta.url);
const { Webhook } = require('standardwebhooks');

const input = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const webhook = new Webhook('whsec_' + Buffer.from(input.secret, 'utf8').toString('base64'));
let failed = 0;
for (const [i, r] of input.requests.entries()) {
  const headers = Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const problems = [];
  try {
    webhook.verify(r.body, headers);
  } catch (e) {
    problems.push(`standardwebhooks: ${e.message}`);
  }
  if (!verifyWebhook(JSON.parse(r.body), headers['x-saas-signature'], headers['x-saas-timestamp'], input.secret))
    problems.push('verifyWebhook: X-SaaS-Signature does not verify');
  if (problems.length) failed++;
  console.log(`request ${i}: ${problems.length ? problems.join('; ') : 'ok'}`);
}
process.exit(failed ? 1 : 0);

// The platform's original receiver snippet from its first webhook documentation, unchanged:
// receivers in the field verify with it, so our X-SaaS-Signature has to satisfy it. It signs
// JSON.stringify of the parsed body, which is why our bodies are written in that form.
import crypto from 'node:crypto';

export function verifyWebhook(payload, signature, timestamp, secret) {
  const message = `${timestamp}.${JSON.stringify(payload)}`;
  const expected = crypto
    .createHmac('sha256', secret)
    .update(message)
    .digest('hex');
  
  return signature === `sha256=${expected}`;
}

// The standardwebhooks npm package verifying deliveries the gateway sent, run by
// tests/gateway/test_webhooks_standard.py. Reads JSON from stdin:
//   {"secret": "whsec_...", "deliveries": [{"headers": {...}, "body": "<raw body>"}]}
// and prints, per delivery, {"ok": true, "id": <parsed payload id>} or {"ok": false, "error": <name>}.
import { Webhook } from "standardwebhooks";

let input = "";
for await (const chunk of process.stdin) input += chunk;
const { secret, deliveries } = JSON.parse(input);
const wh = new Webhook(secret);
const results = deliveries.map(({ headers, body }) => {
  try {
    return { ok: true, id: wh.verify(body, headers).id };
  } catch (err) {
    return { ok: false, error: err.name };
  }
});
process.stdout.write(JSON.stringify(results));

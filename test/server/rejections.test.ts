import { afterEach, describe, expect, it } from 'vitest';
import { verifyWebhook } from '../../adapters/twilio/webhook/verify.ts';
import { ADMIN_TOKEN, capturingLogger, startTestServer, type TestServer } from './helpers.ts';

let t: TestServer | null = null;
afterEach(async () => {
  await t?.server.close(1000);
  t = null;
});

describe('refused webhooks are logged', () => {
  it('logs a refused signature once a minute per path and reason, with the URL the signature was checked against', async () => {
    const { log, lines } = capturingLogger();
    t = await startTestServer({ log, publicUrl: 'https://bakery.example.net' });
    t.server.routes.add('POST', '/twilio/sms', (req) => {
      verifyWebhook(req, 'the-wrong-auth-token');
      return { status: 200 };
    });
    t.server.routes.add('GET', '/api/thing', () => ({ status: 200 }), { auth: 'admin' });
    const post = () =>
      fetch(`${t?.url}/twilio/sms?x=1`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'bm9wZQ==' },
        body: 'Body=hi&From=%2B447700900123',
      });
    expect((await post()).status).toBe(403);
    expect((await post()).status).toBe(403);
    await fetch(`${t.url}/api/thing`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}x` } });

    const refused = lines.filter((l) => String(l.msg).startsWith('webhook refused'));
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({
      level: 40,
      status: 403,
      path: '/twilio/sms',
      reason: 'invalid X-Twilio-Signature',
      signedUrl: 'https://bakery.example.net/twilio/sms?x=1',
    });
  });
});

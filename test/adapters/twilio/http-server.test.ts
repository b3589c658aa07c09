import { afterEach, describe, expect, it } from 'vitest';
import { smsDefinition } from '../../../adapters/twilio/definition.ts';
import { createAuthenticator } from '../../../src/access/principal.ts';
import { silentLogger } from '../../../src/log.ts';
import { createHttpServer, type HttpServer } from '../../../src/server/http-server.ts';
import { createFakeHost } from '../../support/fake-host.ts';
import { ACCOUNT_SID, AUTH_TOKEN, CUSTOMER, OUR_SMS, PUBLIC_BASE } from './support/setup.ts';
import { postWebhook } from './support/twilio-webhook.ts';

let server: HttpServer | null = null;
afterEach(async () => {
  await server?.close(0);
  server = null;
});

describe('the SMS webhook on the router’s own HTTP server', () => {
  it('verifies over the public URL with its query string, and reports refusals with a reason', async () => {
    server = createHttpServer({
      host: '127.0.0.1',
      port: 0,
      publicUrl: PUBLIC_BASE,
      trustProxy: false,
      authenticate: createAuthenticator({ bootstrapToken: 'admin-token' }),
      log: silentLogger,
      isReady: () => true,
    });
    const fake = createFakeHost({ publicUrl: PUBLIC_BASE, routes: server.routes });
    const settings = smsDefinition.settings.parse({
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      numbers: [{ number: OUR_SMS, kind: 'longcode' }],
    });
    const adapter = await smsDefinition.create(settings, { log: silentLogger, clock: fake.clock });
    await adapter.start(fake.host);
    const local = await server.listen();
    const params = {
      MessageSid: `SM${'1'.repeat(32)}`,
      AccountSid: ACCOUNT_SID,
      From: CUSTOMER,
      To: OUR_SMS,
      Body: 'hi',
    };
    const post = (signature?: 'missing') =>
      postWebhook({
        harnessUrl: local,
        publicBase: PUBLIC_BASE,
        path: '/twilio/sms?site=main',
        params,
        authToken: AUTH_TOKEN,
        signature,
      });

    const ok = await post();
    expect(ok.status).toBe(200);
    expect(ok.contentType).toMatch(/^text\/xml/);
    expect(fake.ingestCalls).toHaveLength(1);

    const missing = await post('missing');
    expect(missing.status).toBe(400);
    expect(JSON.parse(missing.body)).toEqual({ error: 'missing_signature', reason: 'missing X-Twilio-Signature' });
    await adapter.stop();
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { smsDefinition } from '../../adapters/twilio/definition.ts';
import { smsSettings } from '../../adapters/twilio/settings.ts';
import { FakeTwilioApi } from '../fakes/twilio-api.ts';
import { capturingLogger } from '../server/helpers.ts';
import { type LocalApp, startLocalApp } from '../support/local-app.ts';
import { testSettings } from '../support/settings.ts';

const ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
let api: FakeTwilioApi | null = null;
let local: LocalApp | null = null;
afterEach(async () => {
  await local?.stop();
  await api?.close();
  local = null;
  api = null;
});

async function start(authToken: string) {
  api = await FakeTwilioApi.start({ accountSid: ACCOUNT_SID, authToken: 'the-right-token-1234' });
  const { log, lines } = capturingLogger();
  const sms = {
    enabled: true,
    settings: smsSettings.parse({
      accountSid: ACCOUNT_SID,
      authToken,
      apiBaseUrl: api.url,
      numbers: [{ number: '+14155550100', kind: 'longcode' }],
    }),
  };
  local = await startLocalApp('tp-credentials-', {
    settings: testSettings({ channels: { sms } }),
    adapters: { sms: smsDefinition },
    log,
  });
  const ready = await fetch(`${local.app.url}/readyz`);
  return { lines, ready: { status: ready.status, body: (await ready.json()) as Record<string, unknown> } };
}

describe('start-up credential checks', () => {
  it('says which channel refused its credentials and how to fix it, in the log and in /readyz', async () => {
    const { lines, ready } = await start('a-wrong-token-5678');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({
      status: 'ready',
      channels: { sms: { status: 'failed', reason: expect.stringMatching(/20003.*accountSid and authToken/) } },
    });
    expect(lines.find((l) => l.channel === 'sms' && l.level === 50)?.msg).toMatch(
      /^sms: credentials check failed: Twilio refused/,
    );
  });

  it('reports the account when the credentials work', async () => {
    const { ready } = await start('the-right-token-1234');
    expect(ready.body).toMatchObject({
      channels: { sms: { status: 'ok', detail: expect.stringContaining('active') } },
    });
  });
});

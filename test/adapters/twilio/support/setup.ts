import { smsDefinition, whatsappDefinition } from '../../../../adapters/twilio/definition.ts';
import type { ChannelAdapter } from '../../../../src/channel/contract.ts';
import { VirtualClock } from '../../../../src/clock.ts';
import { silentLogger } from '../../../../src/log.ts';
import type { OutboundMessage } from '../../../../src/model/types.ts';
import { FakeTwilioApi } from '../../../fakes/twilio-api.ts';
import { serveAdapter } from '../../../support/http-harness.ts';
import { outboundMessage } from '../../../support/outbound.ts';
import { postWebhook } from './twilio-webhook.ts';

export const ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
export const AUTH_TOKEN = 'test-auth-token-1234';
export const PUBLIC_BASE = 'https://touchpoint.example.com';
export const OUR_SMS = '+14155550100';
export const OUR_WA = '+14155550199';
export const CUSTOMER = '+14155550123';

/** The adapter of one channel, started on a fake host, its routes served locally, its REST calls going to the fake API. */
export async function startTwilio(channel: 'sms' | 'whatsapp', extra: Record<string, unknown> = {}) {
  const clock = new VirtualClock();
  const api = await FakeTwilioApi.start({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, now: () => clock.now() });
  const definition = channel === 'sms' ? smsDefinition : whatsappDefinition;
  const settings = definition.settings.parse({
    accountSid: ACCOUNT_SID,
    authToken: AUTH_TOKEN,
    apiBaseUrl: api.url,
    numbers:
      channel === 'sms'
        ? [{ number: OUR_SMS, kind: 'longcode' }]
        : [{ number: `whatsapp:${OUR_WA}`, kind: 'whatsapp' }],
    ...extra,
  });
  // biome-ignore lint/suspicious/noExplicitAny: the two definitions differ only in their settings type
  const adapter: ChannelAdapter = await (definition as any).create(settings, { log: silentLogger, clock });
  const { fake, harness, close } = await serveAdapter(adapter, PUBLIC_BASE, clock);
  return {
    api,
    adapter,
    ...fake,
    harness,
    post: (path: string, params: Record<string, string>, signature?: 'valid' | 'missing' | 'wrong-token') =>
      postWebhook({ harnessUrl: harness.url, publicBase: PUBLIC_BASE, path, params, authToken: AUTH_TOKEN, signature }),
    async close() {
      await close();
      await api.close();
    },
  };
}

/** An outbound message on the thread between `ours` and `customer`. */
export function outbound(o: Partial<OutboundMessage> & { threadKey: string }): OutboundMessage {
  return outboundMessage(
    {
      channel: 'sms',
      touchpoint: { channel: 'sms', kind: 'sms', visibility: 'private' },
      destination: OUR_SMS,
      text: 'Hello',
    },
    o,
  );
}

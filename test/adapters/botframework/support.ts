import { botframeworkDefinition } from '../../../adapters/botframework/definition.ts';
import { VirtualClock } from '../../../src/clock.ts';
import { silentLogger } from '../../../src/log.ts';
import type { OutboundMessage } from '../../../src/model/types.ts';
import { FakeBotService } from '../../fakes/botframework-service.ts';
import { serveAdapter } from '../../support/http-harness.ts';
import { outboundMessage } from '../../support/outbound.ts';

/** An activity as the Emulator or Web Chat posts it. */
export function activity(serviceUrl: string, o: Record<string, unknown> = {}) {
  return {
    type: 'message',
    id: 'act-1',
    timestamp: '2026-01-05T09:00:00.000Z',
    channelId: 'emulator',
    serviceUrl,
    from: { id: 'user-1', name: 'Cora' },
    recipient: { id: 'bot-1', name: 'Bakery Bot' },
    conversation: { id: 'conv-1' },
    text: 'How much is a loaf?',
    ...o,
  };
}

/** The adapter on a fake host, replying to `shared` (closed by the caller) or to a fake connector of its own. */
export async function startBot(extra: Record<string, unknown> = {}, shared?: FakeBotService) {
  const service = shared ?? (await FakeBotService.start());
  const settings = botframeworkDefinition.settings.parse({ serviceUrls: [`${service.url}/`], ...extra });
  const adapter = await botframeworkDefinition.create(settings, { log: silentLogger, clock: new VirtualClock() });
  const { fake, harness, close } = await serveAdapter(adapter, 'https://touchpoint.example.com');
  return {
    service,
    adapter,
    ...fake,
    async post(body: unknown, headers: Record<string, string> = {}) {
      const res = await fetch(`${harness.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      return { status: res.status, text: await res.text() };
    },
    async close() {
      await close();
      if (!shared) await service.close();
    },
  };
}

export function outbound(o: Partial<OutboundMessage> & { threadKey: string }): OutboundMessage {
  return outboundMessage(
    {
      channel: 'botframework',
      touchpoint: { channel: 'botframework', kind: 'botframework.emulator', visibility: 'private' },
      destination: o.threadKey,
      text: 'A loaf is £4.',
    },
    o,
  );
}

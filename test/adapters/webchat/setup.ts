import { webchatDefinition } from '../../../adapters/webchat/definition.ts';
import { webchatSettings } from '../../../adapters/webchat/settings.ts';
import type { ChannelAdapter } from '../../../src/channel/contract.ts';
import { VirtualClock } from '../../../src/clock.ts';
import { silentLogger } from '../../../src/log.ts';
import type { HttpServer } from '../../../src/server/http-server.ts';
import { FakeChannelHost } from '../../server/fake-channel-host.ts';
import { json, startTestServer } from '../../server/helpers.ts';

export interface Webchat {
  url: string;
  host: FakeChannelHost;
  adapter: ChannelAdapter;
  clock: VirtualClock;
  server: HttpServer;
  /** A fresh visitor session from the API. */
  session(): Promise<{ visitorId: string; token: string }>;
  /** Posts a chat message with the visitor token. */
  send(token: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  stop(): Promise<void>;
}

/** The web chat adapter on the real HTTP server, over a fake ChannelHost. */
export async function startWebchat(
  settings: Record<string, unknown> = {},
  opts: { stateData?: Map<string, unknown> } = {},
): Promise<Webchat> {
  const clock = new VirtualClock();
  const t = await startTestServer({ log: silentLogger });
  const host = new FakeChannelHost({
    routes: t.server.routes,
    clock,
    publicUrl: t.url,
    ...(opts.stateData ? { stateData: opts.stateData } : {}),
  });
  const adapter = await webchatDefinition.create(webchatSettings.parse(settings), { log: silentLogger, clock });
  await adapter.start(host);
  return {
    url: t.url,
    host,
    adapter,
    clock,
    server: t.server,
    session: async () => json(await fetch(`${t.url}/webchat/session`, { method: 'POST' })),
    send: (token, body, headers = {}) =>
      fetch(`${t.url}/webchat/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-visitor-token': token, ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    async stop() {
      await adapter.stop();
      await t.server.close(1000);
    },
  };
}

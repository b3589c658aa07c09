import { webformDefinition } from '../../../adapters/webform/definition.ts';
import { webformSettings } from '../../../adapters/webform/settings.ts';
import type { ChannelAdapter } from '../../../src/channel/contract.ts';
import { VirtualClock } from '../../../src/clock.ts';
import { silentLogger } from '../../../src/log.ts';
import { FakeChannelHost } from '../../server/fake-channel-host.ts';
import { startTestServer } from '../../server/helpers.ts';

export interface Webform {
  url: string;
  host: FakeChannelHost;
  adapter: ChannelAdapter;
  clock: VirtualClock;
  /** Posts fields as an HTML form would (no redirect following). */
  postForm(formId: string, fields: Record<string, string>, headers?: Record<string, string>): Promise<Response>;
  postJson(formId: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  stop(): Promise<void>;
}

/** The web form adapter on the real HTTP server, over a fake ChannelHost. */
export async function startWebform(settings: Record<string, unknown> = {}): Promise<Webform> {
  const clock = new VirtualClock();
  const t = await startTestServer({ log: silentLogger });
  const host = new FakeChannelHost({ routes: t.server.routes, clock, publicUrl: t.url });
  const adapter = await webformDefinition.create(webformSettings.parse(settings), { log: silentLogger, clock });
  await adapter.start(host);
  return {
    url: t.url,
    host,
    adapter,
    clock,
    postForm: (formId, fields, headers = {}) =>
      fetch(`${t.url}/webform/${formId}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams(fields).toString(),
      }),
    postJson: (formId, body, headers = {}) =>
      fetch(`${t.url}/webform/${formId}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    async stop() {
      await adapter.stop();
      await t.server.close(1000);
    },
  };
}

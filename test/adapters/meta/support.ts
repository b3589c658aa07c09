import { createHmac } from 'node:crypto';
import { facebookDefinition, instagramDefinition } from '../../../adapters/meta/definition.ts';
import type { App } from '../../../src/app.ts';
import type { ChannelAdapter } from '../../../src/channel/contract.ts';
import { VirtualClock } from '../../../src/clock.ts';
import { type Logger, silentLogger } from '../../../src/log.ts';
import type { OutboundMessage } from '../../../src/model/types.ts';
import type { Settings } from '../../../src/settings/types.ts';
import { FakeGraphApi } from '../../fakes/graph-api.ts';
import { serveAdapter } from '../../support/http-harness.ts';
import { startLocalApp } from '../../support/local-app.ts';
import { outboundMessage } from '../../support/outbound.ts';
import { testSettings } from '../../support/settings.ts';

export const APP_SECRET = 'meta-app-secret';
export const VERIFY_TOKEN = 'verify-me';
export const ACCESS_TOKEN = 'page-token';
export const PAGE_ID = '1000001';
export const IG_ID = '1780000';
export const PUBLIC_BASE = 'https://touchpoint.example.com';

export function sign(body: string, secret = APP_SECRET): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** A Meta webhook POST as Meta sends it: JSON, signed over the exact bytes. */
export async function postSigned(url: string, payload: unknown, signature: 'valid' | 'missing' | 'wrong' = 'valid') {
  const body = JSON.stringify(payload);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (signature !== 'missing')
    headers['x-hub-signature-256'] = sign(body, signature === 'wrong' ? 'not-the-secret' : APP_SECRET);
  const res = await fetch(url, { method: 'POST', headers, body });
  return { status: res.status, text: await res.text() };
}

export function messengerPayload(
  items: { psid: string; mid: string; text?: string; timestamp: number; echo?: boolean; quickReply?: string }[],
  object: 'page' | 'instagram' = 'page',
  ours = PAGE_ID,
) {
  return {
    object,
    entry: items.map((m) => ({
      id: ours,
      time: m.timestamp,
      messaging: [
        {
          sender: { id: m.echo ? ours : m.psid },
          recipient: { id: m.echo ? m.psid : ours },
          timestamp: m.timestamp,
          message: {
            mid: m.mid,
            text: m.text ?? 'hello',
            ...(m.echo ? { is_echo: true } : {}),
            ...(m.quickReply !== undefined ? { quick_reply: { payload: m.quickReply } } : {}),
          },
        },
      ],
    })),
  };
}

export function feedCommentPayload(c: {
  comment: string;
  post?: string;
  parent?: string;
  from: string;
  name?: string;
  text: string;
  created: number;
  verb?: string;
}) {
  const post = c.post ?? `${PAGE_ID}_post1`;
  return {
    object: 'page',
    entry: [
      {
        id: PAGE_ID,
        time: c.created * 1000,
        changes: [
          {
            field: 'feed',
            value: {
              item: 'comment',
              verb: c.verb ?? 'add',
              comment_id: c.comment,
              post_id: post,
              parent_id: c.parent ?? post,
              from: { id: c.from, name: c.name ?? 'Cora Customer' },
              message: c.text,
              created_time: c.created,
            },
          },
        ],
      },
    ],
  };
}

export function igCommentPayload(c: {
  id: string;
  from: string;
  username?: string;
  text: string;
  time: number;
  parent?: string;
}) {
  return {
    object: 'instagram',
    entry: [
      {
        id: IG_ID,
        time: c.time,
        changes: [
          {
            field: 'comments',
            value: {
              id: c.id,
              from: { id: c.from, username: c.username ?? 'cora' },
              text: c.text,
              media: { id: 'media1' },
              ...(c.parent ? { parent_id: c.parent } : {}),
            },
          },
        ],
      },
    ],
  };
}

/** The adapter of one channel on a fake host, its routes served locally, its Graph calls going to the fake. */
export async function startMeta(channel: 'facebook' | 'instagram', extra: Record<string, unknown> = {}) {
  const clock = new VirtualClock();
  const graph = await FakeGraphApi.start({
    accessToken: ACCESS_TOKEN,
    pages: [PAGE_ID, IG_ID],
    instagram: [IG_ID],
    now: () => clock.now(),
  });
  const common = {
    appSecret: APP_SECRET,
    verifyToken: VERIFY_TOKEN,
    accessToken: ACCESS_TOKEN,
    apiBaseUrl: graph.url,
  };
  const adapter: ChannelAdapter =
    channel === 'facebook'
      ? await facebookDefinition.create(facebookDefinition.settings.parse({ ...common, pageId: PAGE_ID, ...extra }), {
          log: silentLogger,
          clock,
        })
      : await instagramDefinition.create(
          instagramDefinition.settings.parse({ ...common, accountId: IG_ID, ...extra }),
          {
            log: silentLogger,
            clock,
          },
        );
  const served = await serveAdapter(adapter, PUBLIC_BASE, clock);
  const webhook = `${served.harness.url}/meta/${channel}`;
  return {
    graph,
    adapter,
    ...served.fake,
    webhook,
    post(payload: unknown, signature?: 'valid' | 'missing' | 'wrong') {
      if (signature === undefined || signature === 'valid') graph.delivered(payload);
      return postSigned(webhook, payload, signature);
    },
    async close() {
      await served.close();
      await graph.close();
    },
  };
}

export function outbound(o: Partial<OutboundMessage> & { threadKey: string }): OutboundMessage {
  return outboundMessage(
    {
      channel: 'facebook',
      touchpoint: { channel: 'facebook', kind: 'facebook.dm', visibility: 'private' },
      destination: PAGE_ID,
      text: 'Hello from the bakery',
    },
    o,
  );
}

/** The whole router in this process with the Facebook channel, sending to a fake Graph API. */
export async function startMessengerRouter(
  prefix: string,
  overrides: Partial<Settings> = {},
  log?: Logger,
): Promise<{ app: App; graph: FakeGraphApi; dir: string; stop: () => Promise<void> }> {
  const graph = await FakeGraphApi.start({ accessToken: ACCESS_TOKEN, pages: [PAGE_ID] });
  const settings = facebookDefinition.settings.parse({
    appSecret: APP_SECRET,
    verifyToken: VERIFY_TOKEN,
    accessToken: ACCESS_TOKEN,
    pageId: PAGE_ID,
    apiBaseUrl: graph.url,
  });
  const local = await startLocalApp(prefix, {
    settings: testSettings({ ...overrides, channels: { facebook: { enabled: true, settings } } }),
    adapters: { facebook: facebookDefinition },
    ...(log ? { log } : {}),
  });
  return {
    app: local.app,
    graph,
    dir: local.dir,
    async stop() {
      await local.stop();
      await graph.close();
    },
  };
}

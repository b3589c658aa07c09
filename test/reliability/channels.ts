import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { adapterSettings, customerTransport } from '../adapters/email/support/mail-client.ts';
import {
  ACCESS_TOKEN,
  APP_SECRET,
  IG_ID,
  messengerPayload,
  PAGE_ID,
  postSigned,
  VERIFY_TOKEN,
} from '../adapters/meta/support.ts';
import { SECRET, TOKEN } from '../adapters/slack/support/desk-app.ts';
import { type SlackSender, slackSender } from '../adapters/slack/support/slack-requests.ts';
import { ACCOUNT_SID, AUTH_TOKEN } from '../adapters/twilio/support/setup.ts';
import { postWebhook } from '../adapters/twilio/support/twilio-webhook.ts';
import { FakeGraphApi } from '../fakes/graph-api.ts';
import { FakeSlackApi } from '../fakes/slack-api.ts';
import { FakeTwilioApi } from '../fakes/twilio-api.ts';
import { type MailServers, startMailServers } from '../support/mail-servers.ts';
import { type FaultProxy, startFaultProxy } from './fault-proxy.ts';
import { graphShape, slackShape, twilioShape } from './shapes.ts';

/**
 * Customers on the channels the reliability suites load: SMS (signed Twilio
 * webhooks, replies at the fake Twilio API), Slack DMs (signed Events API
 * callbacks, replies at the fake Web API), Messenger (signed Meta batches,
 * replies at the fake Graph API) and email (mail through a private Postfix
 * into Dovecot, replies back into the customers' maildirs). Message `i` comes
 * from its own customer (its own mail thread), so each reply at a fake is
 * told apart by its recipient, and the count per message is of raw requests:
 * a reply sent twice is counted twice.
 */

export type ChannelName = 'sms' | 'slack' | 'facebook' | 'email';

export const PUBLIC_URL = 'https://touchpoint.example.com';
const OUR_NUMBERS = ['+14155550100', '+14155550101'];
const EMAIL_CUSTOMERS = 20;
const SUPPORT = 'support@shop.test';

export interface Replies {
  /** Replies the provider received, per message. */
  perMessage: Map<number, number>;
  /** Replies to nobody a message came from. */
  stray: number;
  /**
   * Email only: deliveries of a reply already delivered under the same Message-ID, the resend the
   * router makes when a crash left a send unconfirmed (SMTP has nothing to ask). Reported, not counted
   * as duplicates; a second reply under a new Message-ID is.
   */
  sameIdResends?: number;
}

export interface Channel {
  name: ChannelName;
  /** The block for the router's `channels` (CHANNELS of test/support/router-child.ts). */
  block: { settings: unknown };
  /** Delivers message `i` as the provider does (attempt > 1: a redelivery, same ids); resolves with the status, 0 when no answer came. */
  deliver(routerUrl: string, i: number, attempt: number): Promise<number>;
  /** Where the provider batches several messages in one request (Meta): delivers them together. */
  deliverBatch?(routerUrl: string, ids: number[]): Promise<number>;
  replies(): Promise<Replies>;
}

export interface Channels {
  list: Channel[];
  /** The proxies in front of the HTTP provider fakes, by channel (when started with `proxied`). */
  proxies: Partial<Record<ChannelName, FaultProxy>>;
  /** CHANNELS for the router child. */
  env: string;
  close(): Promise<void>;
}

const question = (i: number) => `how much is item ${i}?`;

/** Unanswered requests end here, as a provider's own timeout would end them. */
const deliveryTimeoutMs = 10_000;

function count(keys: Iterable<string>, indexOf: (key: string) => number | null): Replies {
  const perMessage = new Map<number, number>();
  let stray = 0;
  for (const key of keys) {
    const i = indexOf(key);
    if (i === null) stray++;
    else perMessage.set(i, (perMessage.get(i) ?? 0) + 1);
  }
  return { perMessage, stray };
}

const statusOf = (p: Promise<{ status: number }>) => p.then((r) => r.status).catch(() => 0);

async function smsChannel(apiUrl: string, api: FakeTwilioApi): Promise<Channel> {
  const customer = (i: number) => `+1555${String(i).padStart(7, '0')}`;
  return {
    name: 'sms',
    block: {
      settings: {
        accountSid: ACCOUNT_SID,
        authToken: AUTH_TOKEN,
        apiBaseUrl: apiUrl,
        numbers: OUR_NUMBERS.map((number) => ({ number, kind: 'longcode', ratePerSecond: 100 })),
      },
    },
    deliver(url, i) {
      const sid = `SM${i.toString(16).padStart(32, '0')}`;
      const params = {
        AccountSid: ACCOUNT_SID,
        ApiVersion: '2010-04-01',
        MessageSid: sid,
        SmsMessageSid: sid,
        From: customer(i),
        To: OUR_NUMBERS[i % OUR_NUMBERS.length] as string,
        Body: question(i),
        NumMedia: '0',
        NumSegments: '1',
        SmsStatus: 'received',
      };
      return statusOf(
        withTimeout(
          postWebhook({ harnessUrl: url, publicBase: PUBLIC_URL, path: '/twilio/sms', params, authToken: AUTH_TOKEN }),
        ),
      );
    },
    async replies() {
      return count(
        api.messages.map((m) => m.to),
        (to) => (/^\+1555\d{7}$/.test(to) ? Number(to.slice(5)) : null),
      );
    },
  };
}

/** Slack with customers served (DMs, and channels the bot is in), its Web API at `apiUrl`. */
export const slackBlock = (apiUrl: string) => ({
  settings: { botToken: TOKEN, signingSecret: SECRET, apiBaseUrl: apiUrl, customers: { enabled: true } },
});

/** A Facebook Page, or an Instagram account, its Graph API at `graphApiUrl`. */
export function metaBlock(channel: 'facebook' | 'instagram', graphApiUrl: string) {
  const common = {
    appSecret: APP_SECRET,
    verifyToken: VERIFY_TOKEN,
    accessToken: ACCESS_TOKEN,
    apiBaseUrl: graphApiUrl,
  };
  return { settings: channel === 'facebook' ? { ...common, pageId: PAGE_ID } : { ...common, accountId: IG_ID } };
}

function slackChannel(apiUrl: string, api: FakeSlackApi): Channel {
  const pad = (i: number) => String(i).padStart(9, '0');
  const epoch = Math.floor(Date.now() / 1000);
  const senders = new Map<string, SlackSender>();
  return {
    name: 'slack',
    block: slackBlock(apiUrl),
    deliver(url, i, attempt) {
      let send = senders.get(url);
      if (!send) {
        send = slackSender(`${url}/slack/events`, SECRET);
        senders.set(url, send);
      }
      // The customer's DM with the bot exists in Slack from their first message on.
      api.addChannel(`D${pad(i)}`);
      const event = {
        type: 'message',
        channel: `D${pad(i)}`,
        channel_type: 'im',
        user: `U${pad(i)}`,
        text: question(i),
        ts: `${epoch + Math.floor(i / 1_000_000)}.${String(i % 1_000_000).padStart(6, '0')}`,
      };
      const retry = attempt > 1 ? { retryNum: attempt - 1 } : {};
      return statusOf(withTimeout(send.event(event, { eventId: `Ev${pad(i)}`, ...retry })));
    },
    async replies() {
      return count(
        api.posts.map((p) => p.channel),
        (channel) => (/^D\d{9}$/.test(channel) ? Number(channel.slice(1)) : null),
      );
    },
  };
}

export const psidOf = (i: number) => String(7_000_000_000 + i);
/** Messages are as recent as the run: replies are free within 24 h of the customer's message. */
const metaEpoch = Date.now();

/** One Messenger batch as Meta posts it, signed (and known to the Graph fake, whose windows it opens); resolves with the status. */
function postMessengerBatch(url: string, ids: number[], graph: FakeGraphApi): Promise<number> {
  const payload = messengerPayload(
    ids.map((i) => ({ psid: psidOf(i), mid: `m.rel.${i}`, text: question(i), timestamp: metaEpoch + i })),
  );
  graph.delivered(payload);
  return statusOf(withTimeout(postSigned(`${url}/meta/facebook`, payload)));
}

function facebookChannel(apiUrl: string, api: FakeGraphApi): Channel {
  return {
    name: 'facebook',
    block: metaBlock('facebook', apiUrl),
    deliver: (url, i) => postMessengerBatch(url, [i], api),
    deliverBatch: (url, ids) => postMessengerBatch(url, ids, api),
    async replies() {
      return count(
        api.sends.filter((s) => s.kind === 'dm').map((s) => s.to),
        (to) => (/^7\d{9}$/.test(to) ? Number(to) - 7_000_000_000 : null),
      );
    },
  };
}

const IN_REPLY_TO = /^In-Reply-To:\s*(<[^>]*>)/im;
const MESSAGE_ID = /^Message-ID:\s*(<[^>]*>)/im;

function emailChannel(servers: MailServers): Channel & { close(): void } {
  const customer = (i: number) => `customer${i % EMAIL_CUSTOMERS}@example.test`;
  const transport = customerTransport(servers, 3);
  // Maildir files never change once delivered: each is read once. Key → [In-Reply-To, Message-ID].
  const seen = new Map<string, [string, string]>();
  return {
    name: 'email',
    block: { settings: adapterSettings(servers) },
    async deliver(_url, i) {
      try {
        await transport.sendMail({
          from: customer(i),
          to: SUPPORT,
          subject: `Question ${i}`,
          messageId: `<rel-${i}@example.test>`,
          text: `Hello, ${question(i)}`,
        });
        return 200; // Postfix took it: from here on the mail is the router's to answer
      } catch {
        return 0;
      }
    },
    async replies() {
      for (let k = 0; k < EMAIL_CUSTOMERS; k++) {
        const box = join(servers.dir, 'mail', customer(k), 'Maildir');
        for (const sub of ['new', 'cur']) {
          const names = await readdir(join(box, sub)).catch(() => [] as string[]);
          for (const name of names) {
            const key = name.split(':')[0] as string;
            if (seen.has(key)) continue;
            const head = (await readFile(join(box, sub, name), 'utf8')).split(/\r?\n\r?\n/, 1)[0] ?? '';
            seen.set(key, [IN_REPLY_TO.exec(head)?.[1] ?? '', MESSAGE_ID.exec(head)?.[1] ?? '']);
          }
        }
      }
      const distinct = new Map<string, string>();
      for (const [parent, id] of seen.values()) distinct.set(id || `(none)${distinct.size}`, parent);
      const replies = count(distinct.values(), (parent) => {
        const m = /^<rel-(\d+)@example\.test>$/.exec(parent);
        return m ? Number(m[1]) : null;
      });
      return { ...replies, sameIdResends: seen.size - distinct.size };
    },
    close: () => transport.close(),
  };
}

/** Starts the provider fakes of `names` (behind fault proxies when `proxied`), and their customers. */
export async function startChannels(names: ChannelName[], o: { proxied?: boolean } = {}): Promise<Channels> {
  const list: Channel[] = [];
  const proxies: Channels['proxies'] = {};
  const closers: Array<() => Promise<void> | void> = [];
  const front = async (name: ChannelName, url: string, shape: typeof twilioShape) => {
    if (!o.proxied) return url;
    const proxy = await startFaultProxy(url, shape);
    proxies[name] = proxy;
    closers.push(() => proxy.close());
    return proxy.url;
  };
  try {
    if (names.includes('sms')) {
      const api = await FakeTwilioApi.start({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
      closers.push(() => api.close());
      list.push(await smsChannel(await front('sms', api.url, twilioShape), api));
    }
    if (names.includes('slack')) {
      const api = await FakeSlackApi.start({ token: TOKEN });
      closers.push(() => api.stop());
      const url = await front('slack', api.apiUrl.replace(/\/api\/$/, ''), slackShape);
      list.push(slackChannel(`${url}/api/`, api));
    }
    if (names.includes('facebook')) {
      const api = await FakeGraphApi.start({ accessToken: ACCESS_TOKEN, pages: [PAGE_ID, IG_ID], instagram: [IG_ID] });
      closers.push(() => api.close());
      list.push(facebookChannel(await front('facebook', api.url, graphShape), api));
    }
    if (names.includes('email')) {
      const customers = Array.from({ length: EMAIL_CUSTOMERS }, (_, k) => `customer${k}@example.test`);
      const servers = await startMailServers({ users: [SUPPORT, ...customers] });
      closers.push(() => servers.stop());
      const email = emailChannel(servers);
      closers.push(() => email.close());
      list.push(email);
    }
  } catch (err) {
    for (const close of closers.reverse()) await close();
    throw err;
  }
  return {
    list,
    proxies,
    env: JSON.stringify(Object.fromEntries(list.map((c) => [c.name, c.block]))),
    async close() {
      for (const close of closers.reverse()) await close();
    },
  };
}

function withTimeout<T>(p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('no answer in time')), deliveryTimeoutMs);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import twilio from 'twilio';
import { silentLogger } from '../../src/log.ts';
import type { Message } from '../../src/model/types.ts';
import { openStore } from '../../src/store/open.ts';
import { FakeTwilioApi } from '../fakes/twilio-api.ts';
import { type RouterChild, startRouterChild } from './child-process.ts';
import { dropSchema, freshSchema, withSchema } from './pg-schema.ts';
import { type SinkServer, startSinkServer } from './sink-server.ts';

/**
 * kill -9 of a router process in the middle of a load of webhook messages,
 * then a restart on the same data, with the channel's provider fake in this
 * process counting every request it gets. What a crash test asserts on.
 */

export const CHILD_TWILIO = {
  accountSid: 'AC0123456789abcdef0123456789abcdef',
  authToken: 'crash-auth-token',
  number: '+14155550100',
};

/** One channel as the crash test drives it: the child's env, inbound posts, and the provider's own records. */
export interface Driver {
  env: Record<string, string>;
  /** Posts inbound message `i` from customer `i % customers`; true when the router acknowledged it. */
  post(url: string, i: number): Promise<boolean>;
  /** Every send request the provider got, by recipient (failed and deduplicated ones included). */
  requests(): Map<string, number>;
  /** The messages customers received, by recipient. */
  received(): Map<string, number>;
  /** The recipient of a conversation's replies, from its thread key. */
  recipientOf(threadKey: string): string;
  close(): Promise<void>;
}

const CUSTOMERS = 50;
const count = (keys: string[]) => {
  const m = new Map<string, number>();
  for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
  return m;
};

/** The sink channel with a provider that does not deduplicate; `lookup` lets the core ask it about a send. */
export async function sinkDriver(o: { lookup: boolean }): Promise<Driver> {
  // The provider has each message a while before the router hears back, as over a real network.
  const sink: SinkServer = await startSinkServer({ latencyMs: 30 });
  return {
    env: { SINK_URL: sink.url, SINK_IDEMPOTENT: '0', SINK_LOOKUP: o.lookup ? '1' : '0' },
    async post(url, i) {
      const res = await fetch(`${url}/sink/inbound`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: `msg-${i}`, from: `customer-${i % CUSTOMERS}`, text: `how much is item ${i}?` }),
      });
      return res.status === 200;
    },
    requests: () => count(sink.raw.map((d) => d.to)),
    received: () => count(sink.created.map((d) => d.to)),
    recipientOf: (threadKey) => threadKey.slice('sink:'.length),
    close: () => sink.close(),
  };
}

/** SMS through the real Twilio adapter and client, against the fake Twilio API (which has no dedupe, like Twilio). */
export async function twilioDriver(): Promise<Driver> {
  const api = await FakeTwilioApi.start({
    accountSid: CHILD_TWILIO.accountSid,
    authToken: CHILD_TWILIO.authToken,
    latencyMs: 30,
  });
  const customer = (i: number) => `+1415556${String(1000 + (i % CUSTOMERS)).padStart(4, '0')}`;
  const creates = () => api.log.filter((r) => r.method === 'POST');
  return {
    env: { CHANNEL: 'sms', TWILIO_API_URL: api.url },
    async post(url, i) {
      const params = {
        MessageSid: `SM${String(i).padStart(32, '0')}`,
        AccountSid: CHILD_TWILIO.accountSid,
        From: customer(i),
        To: CHILD_TWILIO.number,
        Body: `how much is item ${i}?`,
        NumMedia: '0',
      };
      const signature = twilio.getExpectedTwilioSignature(CHILD_TWILIO.authToken, `${url}/twilio/sms`, params);
      const res = await fetch(`${url}/twilio/sms`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
        body: new URLSearchParams(params).toString(),
      });
      return res.status === 200;
    },
    requests: () => count(creates().map((r) => r.to ?? '')),
    received: () => count(api.messages.map((m) => m.to)),
    recipientOf: (threadKey) => threadKey.split('/')[1] ?? '',
    close: () => api.close(),
  };
}

export interface CrashResult {
  /** Inbound messages the router acknowledged before or after the kill. */
  acked: Set<string>;
  /** Inbound messages stored (acknowledged or not), by provider id. */
  stored: Set<string>;
  /** Replies each recipient should have got: one per stored inbound message. */
  expected: Map<string, number>;
  requests: Map<string, number>;
  received: Map<string, number>;
  pendingInbound: number;
  pendingOutbox: number;
  deadLetters: number;
  /** Internal notes the outbox wrote about sends it could not confirm. */
  unconfirmedNotes: string[];
}

/** Sends `total` inbound messages 16 at a time, kills the router with SIGKILL at `killAt`, restarts it and lets it finish. */
export async function crashUnderLoad(o: {
  driver: Driver;
  postgresUrl: string | null;
  env?: Record<string, string>;
  total?: number;
  killAt?: number;
}): Promise<CrashResult> {
  const total = o.total ?? 400;
  const killAt = o.killAt ?? 170;
  const dir = await mkdtemp(join(tmpdir(), 'tp-crash-'));
  const schema = freshSchema('tp_crash');
  const databaseUrl = o.postgresUrl ? withSchema(o.postgresUrl, schema) : '';
  const env = {
    DATA_DIR: dir,
    DATABASE_URL: databaseUrl,
    LEASE: o.postgresUrl ? '2s' : '',
    ...o.driver.env,
    ...o.env,
  };
  let child: RouterChild | null = null;
  try {
    child = await startRouterChild(env);
    const first = child;
    const acked = new Set<string>();
    const post = async (i: number, url: string) => {
      try {
        if (await o.driver.post(url, i)) acked.add(String(i));
      } catch {
        // refused or cut off by the kill: not acknowledged, so the provider would retry
      }
    };
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < total) {
          const i = next++;
          if (i === killAt) first.proc.kill('SIGKILL');
          await post(i, first.url);
        }
      }),
    );
    await first.exited;

    child = await startRouterChild(env);
    const deadline = Date.now() + 30_000;
    const receivedTotal = () => [...o.driver.received().values()].reduce((a, b) => a + b, 0);
    while (receivedTotal() < acked.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 500)); // let stragglers (stored but unacknowledged) arrive too
    child.proc.kill('SIGTERM');
    await child.exited;
    child = null;

    const store = await openStore({ dataDir: dir, databaseUrl: databaseUrl || null, log: silentLogger });
    try {
      const convs = await store.listConversations({ limit: 1000 });
      const messages = (
        await Promise.all(convs.map((c) => store.listMessages(c.id, { includeInternal: true, limit: 1000 })))
      ).flat();
      const inbound = messages.filter((m) => m.direction === 'inbound');
      const threadOf = new Map(convs.map((c) => [c.id, c.threadKey]));
      const recipient = (m: Message) => o.driver.recipientOf(threadOf.get(m.conversationId) ?? '');
      return {
        acked: new Set([...acked].map((i) => providerIdOf(o.driver, Number(i)))),
        stored: new Set(inbound.map((m) => m.providerId ?? '')),
        expected: count(inbound.map(recipient)),
        requests: o.driver.requests(),
        received: o.driver.received(),
        pendingInbound: await store.countInbound('pending'),
        pendingOutbox: await store.countOutbox('pending'),
        deadLetters: await store.countOutbox('dead'),
        unconfirmedNotes: messages
          .filter((m) => m.visibility === 'internal' && m.author.name === 'outbox')
          .map((m) => m.text),
      };
    } finally {
      await store.close();
    }
  } finally {
    child?.proc.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    if (databaseUrl) await dropSchema(o.postgresUrl as string, schema);
  }
}

/** The provider id the router stores for inbound message `i`. */
function providerIdOf(driver: Driver, i: number): string {
  return driver.env.CHANNEL === 'sms' ? `SM${String(i).padStart(32, '0')}` : `msg-${i}`;
}

/** Messages sent more than once, summed over recipients: what the provider sent beyond one per stored message. */
export function extraSends(got: Map<string, number>, expected: Map<string, number>): number {
  let extra = 0;
  for (const [to, n] of got) extra += Math.max(0, n - (expected.get(to) ?? 0));
  return extra;
}

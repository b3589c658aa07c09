import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.ts';
import type { Written } from '../../src/decide/write-decision.ts';
import { registerEventsApi } from '../../src/flow-language/events-api.ts';
import { silentLogger } from '../../src/log.ts';
import type { Conversation } from '../../src/model/types.ts';
import { createIngestor } from '../../src/pipeline/ingest.ts';
import { createRouter } from '../../src/pipeline/router.ts';
import { flowFile } from '../../src/settings/flow-schema.ts';
import { templatesFile } from '../../src/settings/schema.ts';
import type { Store } from '../../src/store/contract.ts';
import { openStore } from '../../src/store/open.ts';
import { engineRouteDeps } from '../../src/testkit/engine-deps.ts';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../server/helpers.ts';
import { testSettings } from '../support/settings.ts';

const base = testSettings();
const settings = testSettings({
  templates: {
    ...base.templates,
    ...templatesFile.parse({
      templates: { shipped: 'Order {event.orderId} is on its way.', nudge: 'Still thinking about it?' },
    }).templates,
  },
  flows: [
    ...base.flows,
    flowFile.parse({ id: 'shipped', trigger: { events: ['order.shipped'] }, steps: [{ say: 'shipped' }] }),
    flowFile.parse({
      id: 'nudge',
      trigger: { events: ['inquiry.created'] },
      steps: [{ wait: { for: '2d', cancelOnEvents: ['purchase.completed'] } }, { say: 'nudge' }],
    }),
  ],
});
const deps = engineRouteDeps(settings);

let dir: string;
let store: Store;
let server: TestServer;
let written: Written[];
const clock = new VirtualClock(Date.UTC(2026, 2, 3, 10));

async function post(body: unknown, token = ADMIN_TOKEN) {
  const res = await fetch(`${server.url}/api/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tp-events-'));
  store = await openStore({ dataDir: dir, synchronous: 'normal', log: silentLogger });
  written = [];
  server = await startTestServer({ log: silentLogger });
  registerEventsApi(server.server.routes, {
    store,
    settings,
    clock,
    outbound: deps.outbound,
    onWritten: (w) => written.push(w),
  });
  // Ada has written to us on the web chat: she has a private conversation on file
  const router = createRouter({
    store,
    clock,
    log: silentLogger,
    owner: 'r',
    leaseMs: 30_000,
    batchSize: 10,
    workers: 1,
    maxAttempts: 1,
    batchTransactions: true,
    deps,
    onRouted: () => {},
  });
  const ingestor = createIngestor({ store, clock, log: silentLogger, onStored: () => {} });
  await ingestor.ingest({
    channel: 'webchat',
    providerId: 'm1',
    touchpoint: { channel: 'webchat', kind: 'webchat', visibility: 'private' },
    threadKey: 'webchat:ada',
    from: { kind: 'webchat', value: 'ada', name: 'Ada' },
    text: 'hello',
  });
  await router.drain();
});

afterEach(async () => {
  await server.server.close(1_000);
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('POST /api/events', () => {
  it('starts the flows listening to the event in the contact’s conversation, once per event id', async () => {
    const event = {
      id: 'ship-1',
      type: 'order.shipped',
      contact: { kind: 'webchat', value: 'ada' },
      data: { orderId: 'HSB-1' },
    };
    const first = await post(event);
    expect(first).toMatchObject({ status: 200, body: { duplicate: false, started: ['shipped'], cancelled: [] } });
    const [conv] = await store.listConversations({});
    expect(first.body.conversationId).toBe(conv?.id);
    const texts = (await store.listMessages(conv?.id as string)).map((m) => m.text);
    expect(texts).toEqual(['hello', 'Hello Ada, welcome to Test Shop!', 'Order HSB-1 is on its way.']);
    expect(written.flatMap((w) => w.messages.map((m) => m.text))).toEqual(['Order HSB-1 is on its way.']);

    const again = await post(event);
    expect(again).toMatchObject({ status: 200, body: { duplicate: true, started: [] } });
    expect(await store.countOutbox('pending')).toBe(2);
  });

  it('ends the waits a later event cancels', async () => {
    expect((await post({ type: 'inquiry.created', contact: { kind: 'webchat', value: 'ada' } })).body.started).toEqual([
      'nudge',
    ]);
    const bought = await post({ type: 'purchase.completed', contact: { kind: 'webchat', value: 'ada' } });
    expect(bought.body).toMatchObject({ started: [], cancelled: ['nudge'] });
    expect(
      await store.claimTimers({ owner: 'probe', now: clock.now() + 10 * 86_400_000, leaseMs: 1, limit: 10 }),
    ).toEqual([]);
  });

  it('finds the contact’s most recently active private conversation in the store, not in their attributes', async () => {
    const ada = await store.findContactByIdentity({ kind: 'webchat', value: 'ada' });
    expect(ada?.attributes).toEqual({});
    const [chat] = await store.listConversations({});
    const open = (channel: string, visibility: 'private' | 'public', status: 'open' | 'closed', at: number) =>
      store.createConversation(
        {
          ...(chat as Conversation),
          touchpoint: { channel, kind: channel, visibility },
          threadKey: `${channel}:${at}`,
          status,
          flowState: null,
        },
        at,
      );
    const sms = await open('sms', 'private', 'open', clock.now() + 1);
    await open('facebook', 'public', 'open', clock.now() + 2);
    await open('email', 'private', 'closed', clock.now() + 3);
    const shipped = { type: 'order.shipped', contact: { kind: 'webchat', value: 'ada' }, data: { orderId: 'HSB-2' } };
    expect((await post(shipped)).body.conversationId).toBe(sms.id);
    await store.updateConversation(sms.id, { status: 'closed' }, clock.now() + 4);
    await store.updateConversation(chat?.id as string, { status: 'resolved' }, clock.now() + 5);
    expect((await post(shipped)).body.conversationId).toBe(chat?.id);
    await store.updateConversation(chat?.id as string, { status: 'closed' }, clock.now() + 6);
    expect(await post(shipped)).toMatchObject({ status: 409, body: { error: 'no_conversation' } });
  });

  it('refuses bad input, unknown contacts, contacts without a conversation, and callers without the token', async () => {
    expect(await post({ type: 'Order Shipped', contact: { kind: 'webchat', value: 'ada' } })).toMatchObject({
      status: 400,
      body: { error: 'invalid_request', reason: expect.stringMatching(/body\.type: a dotted lowercase name/) },
    });
    expect((await post('{nope')).status).toBe(400);
    expect(await post({ type: 'order.shipped', contact: { kind: 'webchat', value: 'who' } })).toMatchObject({
      status: 404,
      body: { error: 'not_found', reason: 'no contact with the webchat identity given' },
    });
    expect(await post({ type: 'order.shipped', data: {} })).toMatchObject({
      status: 400,
      body: { reason: expect.stringMatching(/contact, email or phone/) },
    });
    expect(await post({ type: 'order.shipped', phone: '12345' })).toMatchObject({
      status: 400,
      body: { error: 'invalid_identity' },
    });
    await store.transaction((tx) =>
      tx.createContact({ name: 'Bo' }, { kind: 'email', value: 'bo@example.com' }, clock.now()),
    );
    expect(await post({ type: 'order.shipped', contact: { kind: 'email', value: 'BO@example.com' } })).toMatchObject({
      status: 409,
      body: { error: 'no_conversation' },
    });
    expect(
      (await post({ type: 'order.shipped', contact: { kind: 'webchat', value: 'ada' } }, 'wrong-token-0123456789'))
        .status,
    ).toBe(401);
  });
});

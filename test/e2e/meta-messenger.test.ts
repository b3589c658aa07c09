import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { messengerPayload, PAGE_ID, postSigned, startMessengerRouter } from '../adapters/meta/support.ts';
import type { FakeGraphApi, RecordedSend } from '../fakes/graph-api.ts';

/** A signed Messenger webhook into the whole router; the flow's answer reaches the fake Graph API. */
describe('Messenger DM through the whole router', () => {
  let graph: FakeGraphApi;
  let app: App;
  let stopApp: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ app, graph, stop: stopApp } = await startMessengerRouter('tp-meta-e2e-'));
  });
  afterAll(async () => {
    await stopApp?.();
  });

  it('answers a Messenger question in the same conversation, and an agent can follow up', async () => {
    const replied = new Promise<RecordedSend>((resolve) => {
      graph.onSend = resolve;
    });
    const payload = messengerPayload([
      { psid: '501', mid: 'm.e2e.1', text: 'How much is a loaf?', timestamp: Date.now() },
    ]);
    graph.delivered(payload);
    const res = await postSigned(`${app.url}/meta/facebook`, payload);
    expect(res).toEqual({ status: 200, text: 'EVENT_RECEIVED' });
    const sent = await replied;
    expect(sent).toMatchObject({
      kind: 'dm',
      target: PAGE_ID,
      to: '501',
      text: 'A loaf is £4.',
      messagingType: 'RESPONSE',
    });

    // a redelivery of the same batch is acknowledged and not answered twice
    expect((await postSigned(`${app.url}/meta/facebook`, payload)).status).toBe(200);
    await app.drain();
    expect(graph.sends).toHaveLength(1);

    const [conversation] = await app.store.listConversations({});
    expect(conversation?.touchpoint).toEqual({ channel: 'facebook', kind: 'facebook.dm', visibility: 'private' });
    const agent = await fetch(`${app.url}/api/conversations/${conversation?.id}/reply`, {
      method: 'POST',
      headers: { authorization: `Bearer ${app.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'Fresh ones come out at 8.', agent: 'Ann' }),
    });
    expect(agent.status).toBe(201);
    await app.drain();
    expect(graph.sends[1]).toMatchObject({ kind: 'dm', to: '501', text: 'Fresh ones come out at 8.' });
  }, 30_000);
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { APP_TOKEN, DESK, type DeskApp, startDeskApp } from '../adapters/slack/support/desk-app.ts';
import { nextTs } from '../adapters/slack/support/slack-requests.ts';
import { holdDurability } from '../support/held-durability.ts';

/**
 * Slack over Socket Mode against a fake of its WebSocket protocol: the router
 * connects with `apps.connections.open` and the app token, receives
 * `events_api` envelopes, and acknowledges each by its envelope_id only once
 * the customer's message is stored for good; a failed event stays
 * unacknowledged, and Slack's redelivery is handled.
 */
describe('Slack Socket Mode', () => {
  let d: DeskApp;
  const DM = 'DSOCK0001';

  beforeEach(async () => {
    d = await startDeskApp({
      slack: {
        transport: 'socket',
        appToken: APP_TOKEN,
        customers: { enabled: true },
        desk: { defaultChannel: DESK },
      },
    });
    d.slack.addChannel(DM);
    await d.slack.socket.until(() => d.slack.socket.connected, 'the router to connect');
  }, 30_000);
  afterEach(async () => {
    await d?.stop();
  });

  const customerSays = (text: string) =>
    d.slack.socket.send('events_api', {
      token: 'legacy',
      team_id: 'T0000001',
      api_app_id: 'A0000001',
      type: 'event_callback',
      event_id: `Ev${nextTs().replace('.', '')}`,
      event_time: Math.floor(Date.now() / 1000),
      event: { type: 'message', channel: DM, channel_type: 'im', user: 'UCUST0001', text, ts: nextTs() },
    });
  /** A few turns of the event loop: an acknowledgement already sent would have been read by then. */
  const socketTurns = () => new Promise((r) => setTimeout(r, 50));
  const stored = async () => (await d.app.store.countInbound('pending')) + (await d.app.store.countInbound('done'));

  it('connects with the app token, and acknowledges an event only once its message is stored for good', async () => {
    expect(d.slack.callsOf('apps.connections.open')).toHaveLength(1);
    const held = holdDurability(d.app.store);
    try {
      const envelope = customerSays('How much is a loaf?');
      for (let i = 0; i < 500 && (await stored()) === 0; i++) await new Promise((r) => setTimeout(r, 5));
      expect(await stored()).toBe(1);
      await socketTurns();
      expect(d.slack.socket.acks.has(envelope)).toBe(false);

      held.release();
      await d.slack.socket.until(() => d.slack.socket.acks.has(envelope), 'the acknowledgement');
    } finally {
      held.release();
    }
    const reply = await d.slack.until(() => d.slack.posts.find((p) => p.channel === DM));
    expect(reply.text).toBe('A loaf is £4.');
  }, 30_000);

  it('leaves an event it failed to store unacknowledged, and stores it when Slack delivers it again', async () => {
    const insert = d.app.store.insertInbound.bind(d.app.store);
    let failed: () => void = () => {};
    const failure = new Promise<void>((r) => {
      failed = r;
    });
    d.app.store.insertInbound = async () => {
      d.app.store.insertInbound = insert;
      failed();
      throw new Error('disk full');
    };
    const envelope = customerSays('Do you have rye?');
    await failure;
    await socketTurns();
    // Slack waits for the ack, then delivers the same envelope again: it must still be waiting.
    expect(() => d.slack.socket.redeliver(envelope)).not.toThrow();
    await d.slack.socket.until(() => d.slack.socket.acks.has(envelope), 'the acknowledgement of the redelivery');
    expect(await stored()).toBe(1);
  }, 30_000);
});

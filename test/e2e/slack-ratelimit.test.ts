import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESK, type DeskApp, startDeskApp } from '../adapters/slack/support/desk-app.ts';
import { nextTs } from '../adapters/slack/support/slack-requests.ts';

/**
 * Slack as a customer channel, under its rate limit: our limiter is set to
 * burst (no spacing), so Slack answers 429 with Retry-After; the outbox and
 * the desk hold the channel and try again. Nothing is lost or sent twice.
 */
describe('Slack customers and the desk under 429s', () => {
  let d: DeskApp;
  const DM = 'DCUST0001';

  beforeAll(async () => {
    d = await startDeskApp({
      intervalMs: 400,
      minTimeMs: 0,
      slack: { customers: { enabled: true }, desk: { defaultChannel: DESK, when: ['all'] } },
    });
  }, 30_000);
  afterAll(async () => {
    await d?.stop();
  });

  it('answers a DM customer and mirrors everything, losing nothing to a burst of 429s', async () => {
    const asks = ['How much is a loaf?', 'What does a loaf cost?', 'Price of a loaf?'];
    for (const text of asks) {
      const res = await d.send.event({
        type: 'message',
        channel: DM,
        channel_type: 'im',
        user: 'UCUST0001',
        text,
        ts: nextTs(),
      });
      expect(res.status).toBe(200);
    }
    const replies = await d.slack.until(() => {
      const p = d.slack.posts.filter((x) => x.channel === DM);
      return p.length >= 3 ? p : null;
    }, 30_000);
    expect(replies.map((p) => p.text)).toEqual(['A loaf is £4.', 'A loaf is £4.', 'A loaf is £4.']);

    // The desk thread: one header, then three customer messages and three bot replies.
    const desk = await d.slack.until(() => {
      const p = d.slack.posts.filter((x) => x.channel === DESK);
      return p.length >= 7 ? p : null;
    }, 30_000);
    expect(desk.filter((p) => p.threadTs === null)).toHaveLength(1);
    expect(desk.filter((p) => p.text.includes('(customer)'))).toHaveLength(3);
    expect(d.slack.rateLimited).toBeGreaterThan(0);

    const [conversation] = await d.app.store.listConversations({});
    expect(conversation?.touchpoint).toEqual({ channel: 'slack', kind: 'slack.dm', visibility: 'private' });
    expect(await d.app.store.countOutbox('dead')).toBe(0);
    expect(await d.app.store.countOutbox('sent')).toBe(3);
  }, 60_000);
});

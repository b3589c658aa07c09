import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT, DESK, type DeskApp, startDeskApp, webchatSays } from '../adapters/slack/support/desk-app.ts';
import { nextTs } from '../adapters/slack/support/slack-requests.ts';
import type { SlackPost } from '../fakes/slack-api.ts';

const PACE_MS = 6_000;

/**
 * Replies wait behind their sender's pace (one SMS a second per US long code;
 * here one web chat reply every 6 s): the header card says how many are ahead
 * and when the customer should have the reply, and stops saying so once it is out.
 */
describe('Slack desk: replies queued behind the pace', () => {
  let d: DeskApp;
  let header: SlackPost;

  beforeAll(async () => {
    d = await startDeskApp({ webchatMinTimeMs: PACE_MS });
    await webchatSays(d.app.url, 'I want to talk to a person please');
    header = await d.slack.until(() =>
      d.slack.posts.find((p) => p.channel === DESK && p.threadTs === null && p.blocks),
    );
  }, 30_000);
  afterAll(async () => {
    await d?.stop();
  });

  const headerUpdate = (check: (blocks: string) => boolean, after = 0) =>
    d.slack.until(
      () =>
        d.slack
          .callsOf('chat.update')
          .slice(after)
          .find((c) => c.params.ts === header.ts && check(JSON.stringify(c.params.blocks))),
      30_000,
    );

  it('shows the replies ahead and the expected time on the header card, then clears it once sent', async () => {
    expect(JSON.stringify(header.blocks)).not.toContain('Reply queued');
    for (const text of ['First answer', 'Second answer', 'Third answer']) {
      const event = { type: 'message', channel: DESK, channel_type: 'channel', user: AGENT, text, ts: nextTs() };
      expect((await d.send.event({ ...event, thread_ts: header.ts })).status).toBe(200);
    }
    const queued = await headerUpdate((b) => b.includes('Reply queued'));
    const blocks = JSON.stringify(queued.params.blocks);
    // The first reply left at once; the third waits behind the second, 6 s apart each.
    expect(blocks).toMatch(/[12] ahead on .+ at 0\.17\/s/);
    expect(blocks).toContain('<!date^');

    const seen = d.slack.callsOf('chat.update').length;
    await headerUpdate((b) => !b.includes('Reply queued'), seen);
    expect(await d.app.store.countOutbox('pending')).toBe(0);
  }, 60_000);
});

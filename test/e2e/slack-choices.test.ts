import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESK, type DeskApp, startDeskApp } from '../adapters/slack/support/desk-app.ts';
import { nextTs } from '../adapters/slack/support/slack-requests.ts';
import { choiceFlowSettings, TOPICS } from '../support/choice-flow.ts';

/** A Slack customer's choice question: Block Kit buttons out, the click back as the answer. */
describe('Slack customer choice buttons', () => {
  let d: DeskApp;
  const DM = 'DCUST0042';
  const USER = 'UCUST0042';

  beforeAll(async () => {
    d = await startDeskApp({
      intervalMs: 0,
      settings: choiceFlowSettings(),
      slack: { customers: { enabled: true }, desk: { defaultChannel: DESK, when: ['handoff'] } },
    });
  }, 30_000);
  afterAll(async () => {
    await d?.stop();
  });

  const dmPosts = () => d.slack.posts.filter((p) => p.channel === DM);

  it('asks with buttons (Block Kit Slack accepts) and takes a click as the answer', async () => {
    const asked = await d.send.event({
      type: 'message',
      channel: DM,
      channel_type: 'im',
      user: USER,
      text: 'I have a question',
      ts: nextTs(),
    });
    expect(asked.status).toBe(200);
    const question = await d.slack.until(() => dmPosts()[0]);
    // The text stays whole for notifications and clients without blocks.
    expect(question.text).toBe(
      `What would you like to know about?\n\n1. ${TOPICS[0]}\n2. ${TOPICS[1]}\n3. ${TOPICS[2]}`,
    );
    expect(question.blocks).toEqual([
      { type: 'section', text: { type: 'plain_text', text: 'What would you like to know about?' } },
      {
        type: 'actions',
        elements: TOPICS.map((t, i) => ({
          type: 'button',
          action_id: `touchpoint_choice_${i}`,
          text: { type: 'plain_text', text: t },
          value: t,
        })),
      },
    ]);

    const click = await d.send.interaction({
      type: 'block_actions',
      user: { id: USER },
      channel: { id: DM },
      container: { type: 'message', channel_id: DM, message_ts: question.ts },
      message: { ts: question.ts, text: question.text },
      actions: [
        { type: 'button', action_id: 'touchpoint_choice_1', value: TOPICS[1], action_ts: nextTs(), block_id: 'b' },
      ],
    });
    expect(click.status).toBe(200);
    const answer = await d.slack.until(() => dmPosts()[1]);
    expect(answer.text).toBe('We bake a vegan sourdough every day.');
    expect(answer.blocks).toBeNull();
  }, 30_000);
});

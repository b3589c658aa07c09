import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION } from '../../adapters/slack/desk/header.ts';
import { COMMENT, QA_VIEW } from '../../adapters/slack/qa/modal.ts';
import { QA_SCORE_ACTION } from '../../adapters/slack/qa/post.ts';
import { QA_SAMPLE } from '../../src/policies/qa-reviews.ts';
import { reviewsFile } from '../../src/settings/operations-schema.ts';
import { noPolicies } from '../../src/settings/policy-schema.ts';
import { AGENT, DESK, type DeskApp, STRANGER, startDeskApp, webchatSays } from '../adapters/slack/support/desk-app.ts';
import { blockAction, nextTs, viewSubmission } from '../adapters/slack/support/slack-requests.ts';
import type { SlackPost } from '../fakes/slack-api.ts';

const QA_CHANNEL = 'CQA000001';
/** The business's own rubric (reviews.yaml), not the SOP's default. */
const RUBRIC = ['greeting', 'identity check', 'accuracy', 'empathy'];

/** The scoring modal's inputs as Slack submits them: a picked option per rubric item, and the comment. */
function picks(scores: Record<string, number>, comment?: string) {
  return {
    ...Object.fromEntries(
      Object.entries(scores).map(([item, score]) => [
        `tp_qa_item:${item}`,
        { tp_qa_pick: { type: 'static_select', selected_option: { value: String(score) } } },
      ]),
    ),
    [COMMENT.block]: { [COMMENT.action]: { type: 'plain_text_input', value: comment ?? null } },
  };
}

/**
 * Weekly QA reviews scored from Slack, end to end through real Bolt against
 * the fake Slack Web API: an agent resolves a conversation from the desk, the
 * weekly round posts it to the QA channel with a Score button, a desk agent
 * scores it in a modal, the scores are stored and the post says so.
 */
describe('QA reviews scored from Slack', () => {
  let d: DeskApp;
  let header: SlackPost;
  let conversationId: string;
  let post: SlackPost;

  const qaPosts = () => d.slack.posts.filter((p) => p.channel === QA_CHANNEL);
  const api = async (path: string) =>
    (await fetch(`${d.app.url}${path}`, { headers: { authorization: `Bearer ${d.app.adminToken}` } })).json();

  beforeAll(async () => {
    d = await startDeskApp({
      channels: [QA_CHANNEL],
      settings: {
        policies: {
          ...noPolicies(),
          reviews: reviewsFile.parse({
            qa: { perAgent: 1, rubric: RUBRIC, post: { channel: 'slack', to: QA_CHANNEL } },
          }),
        },
      },
    });
    await webchatSays(d.app.url, 'I want to talk to a person please');
    header = await d.slack.until(() =>
      d.slack.posts.find((p) => p.channel === DESK && p.threadTs === null && p.blocks),
    );
    const [conversation] = await d.app.store.listConversations({});
    conversationId = conversation?.id ?? '';
    // Maya takes it, answers in the thread and resolves it, all from Slack.
    await d.send.interaction(blockAction(AGENT, DESK, header.ts, ACTION.assignMe, { value: conversationId }));
    await d.slack.until(async () => (await d.app.store.getConversation(conversationId))?.assignee === 'maya');
    const reply = { type: 'message', channel: DESK, user: AGENT, text: 'All sorted.', ts: nextTs() };
    await d.send.event({ ...reply, channel_type: 'channel', thread_ts: header.ts });
    await d.send.interaction(blockAction(AGENT, DESK, header.ts, ACTION.resolve, { value: conversationId }));
    await d.slack.until(async () => (await d.app.store.getConversation(conversationId))?.status === 'resolved');
    // The weekly round falls due now.
    await d.app.store.transaction((tx) =>
      tx.scheduleTimer({ kind: QA_SAMPLE, dueAt: Date.now(), key: QA_SAMPLE }, Date.now()),
    );
    post = await d.slack.until(() => qaPosts()[0]);
  }, 60_000);
  afterAll(async () => {
    await d?.stop();
  });

  it('posts the week’s sample to the QA channel with a Score button', async () => {
    const [review] = ((await api('/api/qa/reviews')) as { reviews: Array<{ id: string; conversationId: string }> })
      .reviews;
    expect(review?.conversationId).toBe(conversationId);
    expect(post.text).toMatch(/^QA review \S+: a conversation maya resolved/);
    expect(post.text).toContain('greeting, identity check, accuracy, empathy');
    const button = JSON.stringify(post.blocks);
    expect(button).toContain(`"action_id":"${QA_SCORE_ACTION}"`);
    expect(button).toContain(`"value":"${review?.id}"`);
    expect(qaPosts()).toHaveLength(1);
  });

  it('refuses a Slack user who is not a mapped agent, ephemerally, and opens nothing', async () => {
    const review = reviewOfPost();
    await d.send.interaction(qaAction(STRANGER, review));
    const refusal = await d.slack.until(() =>
      d.slack.callsOf('chat.postEphemeral').find((c) => c.params.user === STRANGER),
    );
    expect(String(refusal.params.text)).toMatch(/Only agents listed .* can score QA reviews/);
    expect(refusal.params.channel).toBe(QA_CHANNEL);
    expect(d.slack.callsOf('views.open').filter((c) => String(c.params.view).includes(QA_VIEW))).toEqual([]);
    // nor can a stranger's submission store anything
    const res = await d.send.interaction(viewSubmission(STRANGER, QA_VIEW, stateOf(review), picks(all(5))));
    expect(((await res.json()) as { response_action: string }).response_action).toBe('errors');
    expect((await d.app.store.transaction((tx) => tx.getQaReview(review)))?.scores).toBeNull();
  });

  it('opens the rubric in a modal, refuses a form missing an item, then stores the scores and marks the post', async () => {
    const review = reviewOfPost();
    await d.send.interaction(qaAction(AGENT, review));
    const opened = await d.slack.until(() =>
      d.slack.callsOf('views.open').find((c) => String(c.params.view).includes(QA_VIEW)),
    );
    const view = JSON.parse(String(opened.params.view)) as { blocks: Array<{ label?: { text: string } }> };
    expect(view.blocks.flatMap((b) => (b.label ? [b.label.text] : []))).toEqual([
      ...RUBRIC,
      'Comment (for the agent and their lead)',
    ]);

    const partial = await d.send.interaction(
      viewSubmission(AGENT, QA_VIEW, stateOf(review), picks({ greeting: 5, accuracy: 4 })),
    );
    const refused = (await partial.json()) as { response_action: string; errors: Record<string, string> };
    expect(refused.response_action).toBe('errors');
    expect(refused.errors[COMMENT.block]).toMatch(/missing "identity check", "empathy"/);

    const scores = { greeting: 5, 'identity check': 3, accuracy: 4, empathy: 4 };
    const res = await d.send.interaction(viewSubmission(AGENT, QA_VIEW, stateOf(review), picks(scores, 'Warm, quick')));
    expect(res.status).toBe(200);
    const stored = await d.app.store.transaction((tx) => tx.getQaReview(review));
    expect(stored).toMatchObject({ scores, comment: 'Warm, quick', scoredBy: 'maya' });
    const audit = await d.app.store.listAudit({ action: 'qa.score' });
    expect(audit).toMatchObject([{ actorId: 'maya', via: 'slack', conversationId }]);

    const update = await d.slack.until(() => d.slack.callsOf('chat.update').find((c) => c.params.ts === post.ts));
    expect(update.params.channel).toBe(QA_CHANNEL);
    expect(String(update.params.blocks)).toContain(`Scored by <@${AGENT}> (Maya): total 16 of 20, average 4`);
    expect(String(update.params.text)).toBe(post.text);

    const agents = (await api('/api/qa/agents')) as {
      agents: Array<{ agent: string; scored: number; average: number; byItem: Record<string, number> }>;
    };
    expect(agents.agents).toEqual([
      {
        agent: 'maya',
        sampled: 1,
        scored: 1,
        average: 4,
        byItem: { greeting: 5, 'identity check': 3, accuracy: 4, empathy: 4 },
      },
    ]);
  });

  /** The Score button pressed on the QA post (the block_actions payload Slack sends). */
  function qaAction(user: string, review: string) {
    return {
      ...blockAction(user, QA_CHANNEL, post.ts, QA_SCORE_ACTION, { value: review, block_id: 'tp_qa' }),
      message: { type: 'message', ts: post.ts, text: post.text, blocks: post.blocks },
    };
  }

  /** The review id the post's Score button carries. */
  function reviewOfPost(): string {
    const actions = post.blocks?.[1] as { elements?: Array<{ value?: string }> } | undefined;
    return String(actions?.elements?.[0]?.value);
  }

  function stateOf(review: string): string {
    return JSON.stringify({ review, channel: QA_CHANNEL, ts: post.ts, text: post.text });
  }

  const all = (score: number) => Object.fromEntries(RUBRIC.map((item) => [item, score]));
});

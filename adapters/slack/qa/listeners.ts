import type { App } from '@slack/bolt';
import { type DeskQa, type Logger, TouchpointError } from '../../../src/channel/index.ts';
import type { Agents } from '../desk/agents.ts';
import { COMMENT, MAX_ITEMS, QA_VIEW, qaModal, qaModalState, qaSubmission } from './modal.ts';
import { QA_SCORE_ACTION, scoredPostBlocks } from './post.ts';

export const QA_REFUSAL =
  'Only agents listed in the desk’s configuration can score QA reviews. Ask an admin to add your Slack user to `channels.slack.desk.agents`.';

interface ActionBody {
  trigger_id?: string;
  user?: { id?: string };
  channel?: { id?: string };
  container?: { channel_id?: string; message_ts?: string };
  message?: { ts?: string; text?: string };
}

/**
 * Scoring a QA sample from its post: the Score button opens a modal with the
 * rubric; the scores are stored by the core (the API's own checks), and the
 * post is updated to show who scored it and the total. Only mapped desk
 * agents score; anyone else gets an ephemeral refusal.
 */
export function registerQaListeners(d: { app: App; qa: DeskQa; agents: Agents | null; log: Logger }): void {
  const { app, qa } = d;
  const agentOf = (user: string | undefined) => d.agents?.bySlackUser(user) ?? null;

  async function tell(channel: string | undefined, user: string | undefined, text: string): Promise<void> {
    if (!channel || !user) return;
    try {
      await app.client.chat.postEphemeral({ channel, user, text });
    } catch (err) {
      d.log.warn({ err, user }, 'could not post an ephemeral QA answer');
    }
  }

  app.action(QA_SCORE_ACTION, async ({ ack, body, action }) => {
    await ack();
    const b = body as unknown as ActionBody;
    const user = b.user?.id;
    const channel = b.channel?.id ?? b.container?.channel_id;
    const ts = b.message?.ts ?? b.container?.message_ts;
    if (!agentOf(user)) return tell(channel, user, QA_REFUSAL);
    const reviewId = (action as { value?: unknown }).value;
    const review = typeof reviewId === 'string' ? await qa.review(reviewId) : null;
    if (!review || !channel || !ts) return tell(channel, user, 'This QA post belongs to no review we know.');
    const rubric = qa.rubric();
    if (rubric.length > MAX_ITEMS)
      return tell(channel, user, `A Slack form holds ${MAX_ITEMS} rubric items at most: score it on the dashboard.`);
    const where = { review: review.id, channel, ts, text: b.message?.text ?? '' };
    await app.client.views.open({ trigger_id: String(b.trigger_id), view: qaModal(review, rubric, where) as never });
  });

  app.view(QA_VIEW, async ({ ack, body, view }) => {
    const refuse = (reason: string) => ack({ response_action: 'errors', errors: { [COMMENT.block]: reason } });
    const agent = agentOf(body.user.id);
    if (!agent) return refuse(QA_REFUSAL);
    const state = qaModalState(view.private_metadata);
    if (!state) return refuse('This form lost track of its review: press Score on the post again.');
    const input = qaSubmission(view);
    let review: Awaited<ReturnType<DeskQa['score']>>;
    try {
      review = await qa.score(state.review, input, agent.agent);
    } catch (err) {
      if (!(err instanceof TouchpointError)) throw err;
      return refuse(err.message.slice(0, 150));
    }
    await ack();
    d.log.info({ review: review.id, agent: agent.agent }, 'QA review scored from Slack');
    const blocks = scoredPostBlocks({
      reviewId: review.id,
      text: state.text,
      slackUser: body.user.id,
      agentName: agent.name ?? agent.agent,
      scores: review.scores ?? {},
    });
    try {
      await app.client.chat.update({
        channel: state.channel,
        ts: state.ts,
        text: state.text || `QA review ${review.id}`,
        blocks: blocks as never,
      });
    } catch (err) {
      // the scores are stored: only the post's mark is missing
      d.log.warn({ err, review: review.id }, 'QA review scored, but its Slack post could not be updated');
    }
  });
}

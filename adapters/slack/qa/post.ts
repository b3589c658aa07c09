import { type OutboundMessage, qaReviewOf } from '../../../src/channel/index.ts';

/** The Score button of a QA post; its value is the review's id. */
export const QA_SCORE_ACTION = 'tp_qa_score';
/** Slack's limit on a section's text. */
const SECTION_MAX = 3000;

const section = (text: string) => ({
  type: 'section',
  // plain text: the post names a customer, whose name must not be read as mrkdwn
  text: { type: 'plain_text', text: text.slice(0, SECTION_MAX) },
});

const scoreButton = (reviewId: string, label: string) => ({
  type: 'actions',
  block_id: 'tp_qa',
  elements: [
    {
      type: 'button',
      action_id: QA_SCORE_ACTION,
      text: { type: 'plain_text', text: label },
      value: reviewId,
      ...(label === 'Score' ? { style: 'primary' } : {}),
    },
  ],
});

/** A QA sample as Block Kit: the text, then its Score button; null for any other message. */
export function qaPostBlocks(m: Pick<OutboundMessage, 'text' | 'parts'>): unknown[] | null {
  const reviewId = qaReviewOf(m);
  return reviewId ? [section(m.text), scoreButton(reviewId, 'Score')] : null;
}

export interface Scored {
  reviewId: string;
  /** The post's text as it was sent. */
  text: string;
  slackUser: string;
  agentName: string;
  scores: Record<string, number>;
}

/** The QA post once scored: who scored it and the total, and the button to score it again. */
export function scoredPostBlocks(s: Scored): unknown[] {
  const values = Object.values(s.scores);
  const total = values.reduce((a, b) => a + b, 0);
  const average = values.length > 0 ? Math.round((total / values.length) * 100) / 100 : 0;
  return [
    section(s.text),
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `:white_check_mark: Scored by <@${s.slackUser}> (${escapeMrkdwn(s.agentName)}): total ${total} of ${values.length * 5}, average ${average}`,
        },
      ],
    },
    scoreButton(s.reviewId, 'Score again'),
  ];
}

/** Slack's three control characters in mrkdwn text. */
const escapeMrkdwn = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

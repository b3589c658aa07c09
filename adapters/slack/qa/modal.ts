import type { DeskQaReview } from '../../../src/channel/index.ts';

export const QA_VIEW = 'tp_qa_modal';
/** One input per rubric item, its block id the item itself (the core refuses items it does not know). */
const ITEM_BLOCK = 'tp_qa_item:';
const PICK = 'tp_qa_pick';
export const COMMENT = { block: 'tp_qa_comment', action: 'tp_qa_comment_text' } as const;
/** A modal holds at most 100 blocks: the heading and the comment take two. */
export const MAX_ITEMS = 98;
const LABELS = ['1 — poor', '2 — below standard', '3 — meets standard', '4 — good', '5 — excellent'];

/** Where the scored post is, carried through the modal (Slack keeps up to 3,000 characters of it). */
export interface QaModalState {
  review: string;
  channel: string;
  ts: string;
  text: string;
}

/** The scoring modal: a 1–5 pick for every rubric item and a comment. */
export function qaModal(review: DeskQaReview, rubric: readonly string[], where: QaModalState) {
  const state = JSON.stringify({ ...where, text: where.text.slice(0, 2000) });
  return {
    type: 'modal' as const,
    callback_id: QA_VIEW,
    private_metadata: state,
    title: { type: 'plain_text' as const, text: 'QA score' },
    submit: { type: 'plain_text' as const, text: 'Save score' },
    close: { type: 'plain_text' as const, text: 'Cancel' },
    blocks: [
      {
        type: 'section',
        text: {
          type: 'plain_text',
          text: `A conversation ${review.agent} resolved (${review.conversationId}). Score each item from 1 to 5.`,
        },
      },
      ...rubric.map((item) => ({
        type: 'input',
        block_id: `${ITEM_BLOCK}${item}`,
        label: { type: 'plain_text', text: item },
        element: {
          type: 'static_select',
          action_id: PICK,
          placeholder: { type: 'plain_text', text: 'Score' },
          options: LABELS.map((label, i) => ({ text: { type: 'plain_text', text: label }, value: String(i + 1) })),
          ...(review.scores?.[item] ? { initial_option: option(review.scores[item]) } : {}),
        },
      })),
      {
        type: 'input',
        block_id: COMMENT.block,
        optional: true,
        label: { type: 'plain_text', text: 'Comment (for the agent and their lead)' },
        element: {
          type: 'plain_text_input',
          action_id: COMMENT.action,
          multiline: true,
          max_length: 2000,
          ...(review.comment ? { initial_value: review.comment } : {}),
        },
      },
    ],
  };
}

const option = (score: number) => ({
  text: { type: 'plain_text', text: LABELS[score - 1] ?? String(score) },
  value: String(score),
});

interface InputState {
  value?: string | null;
  selected_option?: { value?: string } | null;
}

/** What was submitted: the scores by rubric item, and the comment. */
export function qaSubmission(view: unknown): { scores: Record<string, number>; comment?: string } {
  const values = (view as { state?: { values?: Record<string, Record<string, InputState>> } }).state?.values ?? {};
  const scores: Record<string, number> = {};
  for (const [block, inputs] of Object.entries(values)) {
    if (!block.startsWith(ITEM_BLOCK)) continue;
    const picked = Number(inputs[PICK]?.selected_option?.value);
    if (Number.isInteger(picked)) scores[block.slice(ITEM_BLOCK.length)] = picked;
  }
  const comment = values[COMMENT.block]?.[COMMENT.action]?.value?.trim();
  return { scores, ...(comment ? { comment } : {}) };
}

/** The modal's state, or null when it is not ours. */
export function qaModalState(metadata: string): QaModalState | null {
  try {
    const s = JSON.parse(metadata) as Partial<QaModalState>;
    if (typeof s.review !== 'string' || typeof s.channel !== 'string' || typeof s.ts !== 'string') return null;
    return { review: s.review, channel: s.channel, ts: s.ts, text: typeof s.text === 'string' ? s.text : '' };
  } catch {
    return null;
  }
}

import { choiceQuestionOf, type OutboundMessage } from '../../src/channel/index.ts';

/** Teams shows only the first three suggested actions: more options keep the numbered text there. */
const TEAMS_MAX = 3;

export interface SuggestedActions {
  /** Who sees them: the person asked (in a group chat, only they). */
  to: string[];
  actions: Array<{ type: 'imBack'; title: string; value: string }>;
}

/**
 * A choice question as its question and suggested actions (buttons by the
 * composer that vanish once one is tapped). `imBack` posts the label as the
 * person's message, which the flow takes as the answer.
 */
export function withSuggestedActions(
  msg: Pick<OutboundMessage, 'text' | 'parts'>,
  to: { channelId: string; user: { id: string } },
): { text: string; suggestedActions?: SuggestedActions } {
  const asked = choiceQuestionOf(msg);
  if (!asked || (to.channelId === 'msteams' && asked.options.length > TEAMS_MAX)) return { text: msg.text };
  return {
    text: asked.question,
    suggestedActions: {
      to: [to.user.id],
      actions: asked.options.map((o) => ({ type: 'imBack', title: o.label, value: o.label })),
    },
  };
}

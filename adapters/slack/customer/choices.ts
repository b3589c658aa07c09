import { choiceQuestionOf, type Envelope, type OutboundMessage } from '../../../src/channel/index.ts';
import { type SlackMessageEvent, toEnvelope } from './envelope.ts';

/** Buttons of a customer's choice question: `touchpoint_choice_0`, `_1` … (unique within the message, as Slack requires). */
export const CHOICE_ACTION = /^touchpoint_choice_\d+$/;
/** An actions block holds at most 25 elements; a button's text at most 75 characters. */
const MAX_BUTTONS = 25;
const BUTTON_TEXT_MAX = 75;

/**
 * A choice question as Block Kit: the question, then one button per option
 * whose value is the whole label. Without a choice question (or with more
 * options than one actions block holds) there are no blocks and the text,
 * numbered options included, goes as it is; the text stays the notification's.
 */
export function choiceBlocks(m: Pick<OutboundMessage, 'text' | 'parts'>): unknown[] | null {
  const asked = choiceQuestionOf(m);
  if (!asked || asked.options.length > MAX_BUTTONS) return null;
  return [
    { type: 'section', text: { type: 'plain_text', text: asked.question.slice(0, 3000) } },
    {
      type: 'actions',
      elements: asked.options.map((o, i) => ({
        type: 'button',
        action_id: `touchpoint_choice_${i}`,
        text: {
          type: 'plain_text',
          text: o.label.length > BUTTON_TEXT_MAX ? `${o.label.slice(0, BUTTON_TEXT_MAX - 1)}…` : o.label,
        },
        value: o.label.slice(0, 2000),
      })),
    },
  ];
}

interface BlockActionsBody {
  user?: { id?: string };
  channel?: { id?: string };
  container?: { channel_id?: string; message_ts?: string; thread_ts?: string };
  message?: { ts?: string; thread_ts?: string };
}

/**
 * A click on one of those buttons, as the customer's message: the label as
 * text, in the conversation the question was asked in. The click's own
 * `action_ts` makes its provider id, so a redelivered click is stored once.
 */
export function choiceEnvelope(body: unknown, action: { value?: unknown; action_ts?: unknown }): Envelope | null {
  const b = body as BlockActionsBody;
  const channel = b.channel?.id ?? b.container?.channel_id;
  const user = b.user?.id;
  const questionTs = b.message?.ts ?? b.container?.message_ts;
  if (!channel || !user || !questionTs || typeof action.value !== 'string' || typeof action.action_ts !== 'string') {
    return null;
  }
  const dm = channel.startsWith('D');
  const event: SlackMessageEvent = {
    type: 'message',
    channel,
    ...(dm ? { channel_type: 'im' } : { thread_ts: b.message?.thread_ts ?? b.container?.thread_ts ?? questionTs }),
    user,
    text: action.value,
    ts: action.action_ts,
  };
  return toEnvelope(event, body);
}

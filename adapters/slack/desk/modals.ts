import type { DeskHost } from '../../../src/channel/index.ts';
import type { DeskSettings } from '../settings.ts';

export const VIEW = {
  note: 'tp_note_modal',
  canned: 'tp_canned_modal',
  flow: 'tp_flow_modal',
  snooze: 'tp_snooze_modal',
  resolve: 'tp_resolve_modal',
} as const;
export const RESOLVE_INPUT = {
  block: 'tp_disposition_block',
  action: 'tp_disposition_pick',
  noteBlock: 'tp_resolution_note_block',
  noteAction: 'tp_resolution_note',
} as const;
export const FLOW_INPUT = { block: 'tp_flow_block', action: 'tp_flow_pick' } as const;
export const SNOOZE_INPUT = { block: 'tp_snooze_block', action: 'tp_snooze_at' } as const;
/** Slack's static_select takes at most 100 options. */
const MAX_OPTIONS = 100;
export const NOTE_INPUT = { block: 'tp_note_block', action: 'tp_note_text' } as const;
export const CANNED_INPUT = { block: 'tp_canned_block', action: 'tp_canned_pick' } as const;

/** The frame every desk modal shares: which conversation it acts on, and its title and buttons. */
function modal(view: string, conversationId: string, title: string, submit: string, blocks: unknown[]) {
  return {
    type: 'modal' as const,
    callback_id: view,
    private_metadata: conversationId,
    title: { type: 'plain_text' as const, text: title },
    submit: { type: 'plain_text' as const, text: submit },
    close: { type: 'plain_text' as const, text: 'Cancel' },
    blocks,
  };
}

/** A modal to write an internal note: never sent to the customer. */
export function noteModal(conversationId: string) {
  return modal(VIEW.note, conversationId, 'Internal note', 'Add note', [
    {
      type: 'input',
      block_id: NOTE_INPUT.block,
      label: { type: 'plain_text', text: 'Seen by agents only, never by the customer' },
      element: { type: 'plain_text_input', action_id: NOTE_INPUT.action, multiline: true },
    },
  ]);
}

/** A modal to pick a canned response; Slack's select filters the options as the agent types. */
export function cannedModal(conversationId: string, desk: DeskSettings) {
  return modal(VIEW.canned, conversationId, 'Canned response', 'Send to customer', [
    {
      type: 'input',
      block_id: CANNED_INPUT.block,
      label: { type: 'plain_text', text: 'Response (type to search)' },
      element: {
        type: 'static_select',
        action_id: CANNED_INPUT.action,
        options: desk.canned.map((c) => ({
          text: { type: 'plain_text', text: c.title },
          value: c.id,
          description: { type: 'plain_text', text: c.text.slice(0, 75) },
        })),
      },
    },
  ]);
}

/** A modal to start an engagement flow; the select filters the flows as the agent types. */
export function flowModal(conversationId: string, flows: DeskHost['flows']) {
  return modal(VIEW.flow, conversationId, 'Start a flow', 'Start', [
    {
      type: 'input',
      block_id: FLOW_INPUT.block,
      label: { type: 'plain_text', text: 'Flow (type to search)' },
      element: {
        type: 'static_select',
        action_id: FLOW_INPUT.action,
        options: flows.slice(0, MAX_OPTIONS).map((f) => ({
          text: { type: 'plain_text', text: f.id.slice(0, 75) },
          value: f.id,
          ...(f.description ? { description: { type: 'plain_text', text: f.description.slice(0, 75) } } : {}),
        })),
      },
    },
  ]);
}

/** A modal to snooze until a date and time the agent picks (in their own Slack timezone). */
export function snoozeModal(conversationId: string, initial: number) {
  return modal(VIEW.snooze, conversationId, 'Snooze', 'Snooze', [
    {
      type: 'input',
      block_id: SNOOZE_INPUT.block,
      label: { type: 'plain_text', text: 'Open again at' },
      element: {
        type: 'datetimepicker',
        action_id: SNOOZE_INPUT.action,
        initial_date_time: Math.floor(initial / 1000),
      },
    },
  ]);
}

/** A modal to resolve with a disposition code of desk.yaml and an optional note; the core says when a code is required. */
export function resolveModal(conversationId: string, dispositions: DeskHost['dispositions']) {
  return modal(VIEW.resolve, conversationId, 'Resolve', 'Resolve', [
    {
      type: 'input',
      block_id: RESOLVE_INPUT.block,
      optional: true,
      label: { type: 'plain_text', text: 'Disposition' },
      element: {
        type: 'static_select',
        action_id: RESOLVE_INPUT.action,
        options: dispositions.slice(0, MAX_OPTIONS).map((d) => ({
          text: { type: 'plain_text', text: d.label.slice(0, 75) },
          value: d.code,
        })),
      },
    },
    {
      type: 'input',
      block_id: RESOLVE_INPUT.noteBlock,
      optional: true,
      label: { type: 'plain_text', text: 'Resolution note (agents only)' },
      element: { type: 'plain_text_input', action_id: RESOLVE_INPUT.noteAction, multiline: true },
    },
  ]);
}

interface InputState {
  value?: string;
  selected_option?: { value?: string };
  selected_date_time?: number;
}

/** A submitted view's value of one input (a date-time picker's as epoch seconds, in text). */
export function inputValue(view: unknown, block: string, action: string): string | null {
  const values = (view as { state?: { values?: Record<string, Record<string, InputState>> } }).state?.values;
  const v = values?.[block]?.[action];
  if (typeof v?.selected_date_time === 'number') return String(v.selected_date_time);
  return v?.value ?? v?.selected_option?.value ?? null;
}

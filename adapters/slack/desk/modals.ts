import type { DeskSettings } from '../settings.ts';

export const VIEW = { note: 'tp_note_modal', canned: 'tp_canned_modal' } as const;
export const NOTE_INPUT = { block: 'tp_note_block', action: 'tp_note_text' } as const;
export const CANNED_INPUT = { block: 'tp_canned_block', action: 'tp_canned_pick' } as const;

/** A modal to write an internal note: never sent to the customer. */
export function noteModal(conversationId: string) {
  return {
    type: 'modal' as const,
    callback_id: VIEW.note,
    private_metadata: conversationId,
    title: { type: 'plain_text' as const, text: 'Internal note' },
    submit: { type: 'plain_text' as const, text: 'Add note' },
    close: { type: 'plain_text' as const, text: 'Cancel' },
    blocks: [
      {
        type: 'input',
        block_id: NOTE_INPUT.block,
        label: { type: 'plain_text', text: 'Seen by agents only, never by the customer' },
        element: { type: 'plain_text_input', action_id: NOTE_INPUT.action, multiline: true },
      },
    ],
  };
}

/** A modal to pick a canned response; Slack's select filters the options as the agent types. */
export function cannedModal(conversationId: string, desk: DeskSettings) {
  return {
    type: 'modal' as const,
    callback_id: VIEW.canned,
    private_metadata: conversationId,
    title: { type: 'plain_text' as const, text: 'Canned response' },
    submit: { type: 'plain_text' as const, text: 'Send to customer' },
    close: { type: 'plain_text' as const, text: 'Cancel' },
    blocks: [
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
    ],
  };
}

/** A submitted view's value of one input. */
export function inputValue(view: unknown, block: string, action: string): string | null {
  const values = (
    view as {
      state?: { values?: Record<string, Record<string, { value?: string; selected_option?: { value?: string } }>> };
    }
  ).state?.values;
  const v = values?.[block]?.[action];
  return v?.value ?? v?.selected_option?.value ?? null;
}

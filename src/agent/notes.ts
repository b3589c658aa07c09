import type { StoreTx } from '../store/contract.ts';

/** An internal note written by the system about what an agent did or what a timer did: shown to agents, never sent. */
export async function systemNote(tx: StoreTx, conversationId: string, text: string, now: number): Promise<void> {
  await tx.insertMessage(
    {
      conversationId,
      direction: 'outbound',
      author: { kind: 'system', name: 'desk' },
      text,
      attachments: [],
      providerId: null,
      status: 'sent',
      visibility: 'internal',
    },
    now,
  );
}

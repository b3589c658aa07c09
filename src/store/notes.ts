import type { StoreTx } from './contract.ts';

/**
 * An internal note written by the system about what an agent, a timer or a
 * policy did (`by` names which part): shown to agents, never sent.
 */
export async function systemNote(
  tx: StoreTx,
  conversationId: string,
  text: string,
  now: number,
  by = 'desk',
): Promise<void> {
  await tx.insertMessage(
    {
      conversationId,
      direction: 'outbound',
      author: { kind: 'system', name: by },
      text,
      attachments: [],
      providerId: null,
      status: 'sent',
      visibility: 'internal',
    },
    now,
  );
}

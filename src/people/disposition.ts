import type { Actor } from '../access/audit.ts';
import { HttpError } from '../errors.ts';
import type { Conversation } from '../model/types.ts';
import type { ResolutionSettings } from '../settings/desk-schema.ts';
import type { StoreTx } from '../store/contract.ts';
import { systemNote } from '../store/notes.ts';

/**
 * A resolution's disposition (desk.yaml `resolution`): a code from config and
 * an optional note. The code is stored for the reports; the note, which may
 * quote the customer, is an internal note on the conversation (erased with it).
 */

export interface Disposition {
  code?: string | null | undefined;
  note?: string | null | undefined;
}

/** The code to record, null for none; a 400 for a code not in config, a 422 when the category requires one. */
export function checkDisposition(settings: ResolutionSettings, c: Conversation, d: Disposition): string | null {
  const codes = Object.keys(settings.dispositions);
  const code = d.code?.trim() || null;
  if (code !== null && !codes.includes(code))
    throw new HttpError(
      400,
      'unknown_disposition',
      codes.length > 0
        ? `disposition "${code}" is not one of ${codes.join(', ')} (desk.yaml)`
        : `disposition "${code}" given, but desk.yaml names no dispositions`,
    );
  if (code === null && c.category !== null && settings.requiredFor.includes(c.category))
    throw new HttpError(
      422,
      'disposition_required',
      `conversations of category "${c.category}" need a disposition to be resolved: one of ${codes.join(', ')}`,
    );
  return code;
}

/** Records the disposition and the agent's note in the resolving transaction. */
export async function recordDisposition(
  tx: StoreTx,
  settings: ResolutionSettings,
  c: Conversation,
  input: { code: string | null; note: string | null; actor: Actor },
  now: number,
): Promise<void> {
  const note = input.note?.trim() || null;
  if (input.code === null && note === null) return;
  if (input.code !== null)
    await tx.recordResolution({
      conversationId: c.id,
      at: now,
      code: input.code,
      agent: input.actor.agentId,
      category: c.category,
    });
  const label = input.code === null ? 'no disposition' : (settings.dispositions[input.code] ?? input.code);
  await systemNote(tx, c.id, `Resolved by ${input.actor.name}: ${label}${note ? `. ${note}` : ''}`, now);
}

import { z } from 'zod';

/**
 * What a reply needs from the message it answers. Written into the envelope
 * by the inbound side, stored by the core on the conversation, and handed
 * back with every outbound message.
 */
export interface EmailReplyRef {
  /** Where the answer goes: the sender's Reply-To, else From. */
  to: string;
  name: string | null;
  subject: string;
  /** The Message-ID being answered (becomes In-Reply-To); null when we write first (a web form's answer). */
  messageId: string | null;
  /** Its References plus its own Message-ID (the start of our References). */
  references: string[];
}

const schema = z.object({
  to: z.string().includes('@'),
  name: z.string().nullable().catch(null),
  subject: z.string().catch(''),
  messageId: z.string().min(3).nullable().catch(null),
  references: z.array(z.string()).catch([]),
});

/** The reply ref if it has the shape this adapter writes, else null (a conversation may predate it). */
export function readReplyRef(ref: Record<string, unknown> | null | undefined): EmailReplyRef | null {
  const parsed = schema.safeParse(ref ?? null);
  return parsed.success ? parsed.data : null;
}

import { z } from 'zod';

/**
 * What a reply needs from the message it answers: the channel it was posted
 * in (a DM channel, a server channel or a thread) and the message itself, for
 * `message_reference`. Written into the envelope by the inbound side and handed
 * back with every outbound message.
 */
export interface DiscordReplyRef {
  channelId: string;
  /** The message answered; null when we write first (a DM the core started). */
  messageId: string | null;
  guildId: string | null;
}

const id = z.string().regex(/^\d{1,21}$/);
const schema = z.object({
  channelId: id,
  messageId: id.nullable().catch(null),
  guildId: id.nullable().catch(null),
});

/** The reply ref if it has the shape this adapter writes, else null. */
export function readReplyRef(ref: Record<string, unknown> | null | undefined): DiscordReplyRef | null {
  const parsed = schema.safeParse(ref ?? null);
  return parsed.success ? parsed.data : null;
}

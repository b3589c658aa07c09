import { createHash } from 'node:crypto';

/**
 * Message-IDs travel in their header form, `<left@right>`, everywhere: as
 * envelope provider ids, in inReplyTo, in references and in reply refs, so the
 * core can match a customer's References against our own sent ids verbatim.
 */

const ID = /<([^<>\s]+)>/g;

/** One Message-ID in header form, or null when the text holds none. */
export function normalizeMessageId(text: string | null | undefined): string | null {
  if (!text) return null;
  const trimmed = text.trim();
  const bracketed = /^<([^<>\s]+)>$/.exec(trimmed);
  if (bracketed) return `<${bracketed[1]}>`;
  if (/^[^<>\s]+$/.test(trimmed)) return `<${trimmed}>`;
  return firstIdIn(trimmed);
}

function firstIdIn(text: string): string | null {
  const m = /<([^<>\s]+)>/.exec(text);
  return m ? `<${m[1]}>` : null;
}

/** Every `<id>` in a header value (References, In-Reply-To), in order, without repeats. */
export function idsIn(value: string | readonly string[] | null | undefined): string[] {
  if (!value) return [];
  const text = typeof value === 'string' ? value : value.join(' ');
  const out: string[] = [];
  for (const m of text.matchAll(ID)) {
    const id = `<${m[1]}>`;
    if (!out.includes(id)) out.push(id);
  }
  // A bare id without brackets (seen from some clients in In-Reply-To).
  if (out.length === 0 && typeof value === 'string') {
    const bare = normalizeMessageId(value);
    if (bare) out.push(bare);
  }
  return out;
}

/** Our Message-ID for an outbox row: the same on every retry, so a resend is recognisable. */
export function ownMessageId(outboxId: string, domain: string): string {
  const left = outboxId.replace(/[^A-Za-z0-9._-]/g, '_');
  return `<${left}@${domain}>`;
}

export const SYNTHETIC_ID_SUFFIX = '@no-message-id.invalid>';

/** A stable stand-in id for a message without a Message-ID, so reprocessing it still deduplicates. */
export function syntheticMessageId(source: Uint8Array): string {
  const digest = createHash('sha256').update(source).digest('hex').slice(0, 32);
  return `<${digest}${SYNTHETIC_ID_SUFFIX}`;
}

/** Unique ids in order, capped the way mail clients trim References: the root plus the newest. */
export function capReferences(ids: readonly string[], max = 20): string[] {
  const unique = [...new Set(ids)];
  if (unique.length <= max) return unique;
  return [unique[0] as string, ...unique.slice(unique.length - (max - 1))];
}

export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

import type { Envelope } from '../model/types.ts';

/**
 * A stored envelope keeps a long text once. The provider's payload (`raw`,
 * kept for audit) usually holds the same text again, which for a long message
 * doubles what is encoded, written, rewritten when the event is marked done,
 * and read back; every other copy is stored as a mark and restored on reading.
 */
const MARK_KEY = '$envelope';
const MARK = { [MARK_KEY]: 'text' };
/** Shorter texts are stored as they are: the copy costs less than looking for it. */
const ELIDE_FROM = 1_024;

export function envelopeToJson(e: Envelope): string {
  const text = e.text;
  if (text.length < ELIDE_FROM) return JSON.stringify(e);
  return JSON.stringify(e, function (this: unknown, _key: string, value: unknown) {
    return value === text && this !== e ? MARK : value;
  });
}

export function envelopeFromJson(json: string): Envelope {
  const e = JSON.parse(json) as Envelope;
  if (typeof e.text !== 'string' || e.text.length < ELIDE_FROM) return e;
  const isMark = (v: unknown) =>
    v !== null &&
    typeof v === 'object' &&
    (v as Record<string, unknown>)[MARK_KEY] === 'text' &&
    Object.keys(v).length === 1;
  const restore = (holder: Record<string, unknown> | unknown[]) => {
    for (const [k, v] of Object.entries(holder)) {
      if (isMark(v)) (holder as Record<string, unknown>)[k] = e.text;
      else if (v !== null && typeof v === 'object') restore(v as Record<string, unknown>);
    }
  };
  for (const [k, v] of Object.entries(e)) if (k !== 'text' && v !== null && typeof v === 'object') restore(v);
  return e;
}

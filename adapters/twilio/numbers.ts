/**
 * Phone numbers as Twilio writes them, and the thread keys built from them.
 * A thread is one of our numbers talking to one customer number, whatever the
 * channel: the channel itself tells SMS and WhatsApp apart.
 */

export const E164 = /^\+[1-9]\d{6,14}$/;
/** Short codes are 3–8 digits depending on the country (5–6 in the US). */
export const SHORT_CODE = /^\d{3,8}$/;

const WHATSAPP_PREFIX = 'whatsapp:';

export type NumberKind = 'longcode' | 'tollfree' | 'shortcode' | 'whatsapp';

export const isE164 = (s: string): boolean => E164.test(s);
export const isSender = (s: string): boolean => E164.test(s) || SHORT_CODE.test(s);

/** `whatsapp:+14155550100` → `+14155550100`; anything else unchanged. */
export function stripWhatsapp(address: string): string {
  return address.startsWith(WHATSAPP_PREFIX) ? address.slice(WHATSAPP_PREFIX.length) : address;
}

export const isWhatsapp = (address: string): boolean => address.startsWith(WHATSAPP_PREFIX);

/** The address Twilio expects for a channel: WhatsApp numbers carry the `whatsapp:` prefix. */
export function addressFor(channel: string, number: string): string {
  const bare = stripWhatsapp(number);
  return channel === 'whatsapp' ? `${WHATSAPP_PREFIX}${bare}` : bare;
}

export interface ThreadParts {
  /** Our number (E.164 or a short code), the sender of replies. */
  ours: string;
  /** The customer's E.164 number. */
  customer: string;
}

const SEPARATOR = '/';

export function encodeThreadKey(t: ThreadParts): string {
  const ours = stripWhatsapp(t.ours);
  const customer = stripWhatsapp(t.customer);
  if (!isSender(ours)) throw new TypeError(`not a Twilio sender number: ${JSON.stringify(t.ours)}`);
  if (!isE164(customer)) throw new TypeError(`not an E.164 number: ${JSON.stringify(t.customer)}`);
  return `${ours}${SEPARATOR}${customer}`;
}

/** Returns null for a key this adapter did not build. */
export function decodeThreadKey(key: string): ThreadParts | null {
  const parts = key.split(SEPARATOR);
  if (parts.length !== 2) return null;
  const [ours, customer] = parts as [string, string];
  if (!isSender(ours) || !isE164(customer)) return null;
  return { ours, customer };
}

/**
 * How many SMS segments a text takes, counted the way carriers (and Twilio's
 * `num_segments`) do: GSM-7 when every character is in the GSM 03.38 alphabet,
 * where the extension characters take two septets (escape + character);
 * otherwise UCS-2 for the whole message, counted in UTF-16 code units, so an
 * emoji takes two. A split message loses room to the concatenation header, and
 * no segment boundary falls inside an escape pair or a surrogate pair.
 */

const GSM_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const GSM_EXTENDED = new Set('\f^{}\\[~]|€');

export type Encoding = 'GSM-7' | 'UCS-2';

export const LIMITS = {
  'GSM-7': { single: 160, part: 153 },
  'UCS-2': { single: 70, part: 67 },
} as const;

export interface SegmentCount {
  encoding: Encoding;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2). */
  units: number;
  segments: number;
}

export function isGsm7(text: string): boolean {
  for (const ch of text) if (!GSM_BASIC.has(ch) && !GSM_EXTENDED.has(ch)) return false;
  return true;
}

/** Cost of each character in the message's encoding, in characters' order. */
function costs(text: string, encoding: Encoding): number[] {
  const out: number[] = [];
  for (const ch of text) {
    if (encoding === 'GSM-7') out.push(GSM_EXTENDED.has(ch) ? 2 : 1);
    else out.push(ch.length);
  }
  return out;
}

export function countSegments(text: string): SegmentCount {
  const encoding: Encoding = isGsm7(text) ? 'GSM-7' : 'UCS-2';
  const each = costs(text, encoding);
  const units = each.reduce((a, b) => a + b, 0);
  const limit = LIMITS[encoding];
  if (units === 0) return { encoding, units, segments: 0 };
  if (units <= limit.single) return { encoding, units, segments: 1 };
  let segments = 1;
  let used = 0;
  for (const c of each) {
    if (used + c > limit.part) {
      segments++;
      used = 0;
    }
    used += c;
  }
  return { encoding, units, segments };
}

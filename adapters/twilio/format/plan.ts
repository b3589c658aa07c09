import type { TwilioChannel } from '../settings.ts';
import { countSegments } from './segments.ts';
import { splitText } from './split.ts';

/** Twilio refuses a body longer than this, on SMS and WhatsApp alike. */
export const MAX_BODY_CHARS = 1600;

/**
 * The bodies one reply is sent as. SMS: each body within `maxSegments`
 * segments; WhatsApp has no segments, only Twilio's body limit. Past
 * `maxMessages` bodies the last one is shortened with an ellipsis.
 */
export function planBodies(
  channel: TwilioChannel,
  text: string,
  limits: { maxSegments: number; maxMessages: number },
): string[] {
  const fits =
    channel === 'sms'
      ? (chunk: string) => chunk.length <= MAX_BODY_CHARS && countSegments(chunk).segments <= limits.maxSegments
      : (chunk: string) => chunk.length <= MAX_BODY_CHARS;
  return splitText(text, fits, limits.maxMessages);
}

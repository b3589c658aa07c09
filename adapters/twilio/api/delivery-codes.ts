/**
 * Twilio's delivery error codes (status callback `ErrorCode`) in words, for
 * the people at the desk: what happened, and when it helps, what to do.
 */
const WORDS: Record<string, string> = {
  '30001': 'queue overflow: too many messages were queued for this number',
  '30002': 'the Twilio account is suspended',
  '30003': "the customer's phone is unreachable (switched off or out of coverage)",
  '30004': 'the message was blocked: the customer may have blocked the number, or the carrier filters it',
  '30005': 'unknown destination: the number does not exist or is no longer in service',
  '30006': 'the destination cannot receive this message (a landline, or a carrier that does not take SMS)',
  '30007':
    "the carrier filtered the message as spam: check the number's registration (A2P 10DLC, toll-free verification)",
  '30008': 'unknown error from the carrier',
  '30034': 'the sending number is not registered for A2P 10DLC messaging',
  '21610': 'the customer opted out (replied STOP)',
  '63016': 'the WhatsApp 24-hour window is closed: only a template message can reach the customer',
};

/** `Twilio error 30003: the customer's phone is unreachable …`, or the bare code when it is not a known one. */
export function deliveryError(code: string): string {
  const words = WORDS[code];
  return words
    ? `Twilio error ${code}: ${words}`
    : `Twilio error ${code} (see https://www.twilio.com/docs/api/errors/${code})`;
}

/**
 * Carrier opt-out keywords. Twilio answers them itself on SMS and blocks later
 * sends (error 21610) but still forwards the message: we flag it so the core
 * records the opt-out (or opt-in) and answers HELP from its own template.
 * A keyword counts only as the whole message, in any letter case.
 */
export type OptOutKind = 'stop' | 'start' | 'help';

const KEYWORDS: Record<string, OptOutKind> = {
  STOP: 'stop',
  STOPALL: 'stop',
  UNSUBSCRIBE: 'stop',
  CANCEL: 'stop',
  END: 'stop',
  QUIT: 'stop',
  REVOKE: 'stop',
  OPTOUT: 'stop',
  START: 'start',
  YES: 'start',
  UNSTOP: 'start',
  HELP: 'help',
  INFO: 'help',
};

/** Twilio's Advanced Opt-Out sends `OptOutType` (STOP, START, HELP): it wins over our own keyword match. */
export function optOutKind(body: string, optOutType?: string | null): OptOutKind | null {
  const fromTwilio = optOutType?.trim().toLowerCase();
  if (fromTwilio === 'stop' || fromTwilio === 'start' || fromTwilio === 'help') return fromTwilio;
  return KEYWORDS[body.trim().toUpperCase()] ?? null;
}

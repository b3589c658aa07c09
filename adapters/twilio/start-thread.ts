import type { IdentityRef, StartedThread } from '../../src/channel/index.ts';
import { encodeThreadKey, isE164, stripWhatsapp } from './numbers.ts';
import type { TwilioChannel, TwilioSettings } from './settings.ts';

/**
 * A thread the business opens to a number (first contact, a code to a number
 * on file): our first configured number to the customer's, on this channel.
 * Null for an identity that is not a phone number.
 */
export function startTwilioThread(
  channel: TwilioChannel,
  settings: TwilioSettings,
  to: IdentityRef,
): StartedThread | null {
  if (to.kind !== 'phone' && to.kind !== 'whatsapp') return null;
  const customer = stripWhatsapp(to.value);
  const ours = settings.numbers[0]?.number;
  if (!ours || !isE164(customer)) return null;
  const bare = stripWhatsapp(ours);
  return {
    threadKey: encodeThreadKey({ ours: bare, customer }),
    touchpoint: { channel, kind: channel, visibility: 'private' },
    replyRef: { ours: bare, customer },
  };
}

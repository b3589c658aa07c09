import type { StoreTx } from '../store/contract.ts';

/** SMS rules (TCPA, PECR and their kin) ask for recorded consent before a business texts first, whatever the config says. */
export const CONSENT_ALWAYS: readonly string[] = ['sms'];

/** The channels on which we write first only with recorded consent: the configured ones and SMS. */
export function consentChannels(configured: readonly string[]): ReadonlySet<string> {
  return new Set([...CONSENT_ALWAYS, ...configured]);
}

/** Whether the contact's latest recorded consent for this channel (or for all, `*`) is given. */
export async function consentOnFile(tx: StoreTx, contactId: string, channel: string): Promise<boolean> {
  const changes = await tx.contactHistory(contactId, ['consent']);
  const latest = changes.filter((c) => c.channel === channel || c.channel === '*').at(-1);
  return latest?.on === true;
}

/** Web chat thread keys are `webchat:<visitorId>`: one conversation per browser. */
const PREFIX = 'webchat:';

export const threadKeyOf = (visitorId: string) => PREFIX + visitorId;

export function visitorOf(threadKey: string): string | null {
  return threadKey.startsWith(PREFIX) && threadKey.length > PREFIX.length ? threadKey.slice(PREFIX.length) : null;
}

/** Web form thread keys are `webform:<lowercased email>`: one thread per sender. */
const PREFIX = 'webform:';

export const threadKeyOf = (email: string) => PREFIX + email;

export function emailOf(threadKey: string): string | null {
  return threadKey.startsWith(PREFIX) && threadKey.length > PREFIX.length ? threadKey.slice(PREFIX.length) : null;
}

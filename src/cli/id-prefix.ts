import { TouchpointError } from '../errors.ts';
import type { Store } from '../store/contract.ts';

/** Ids are long: the CLI takes any unique prefix of one, as git does with commits. */
export async function resolveId(store: Store, table: 'contacts' | 'conversations', given: string): Promise<string> {
  const found = await store.idsWithPrefix(table, given, 2);
  if (found.includes(given)) return given;
  const what = table === 'contacts' ? 'contact' : 'conversation';
  if (found.length === 0) throw new TouchpointError('not_found', `no ${what} with id ${given}`);
  if (found.length > 1) {
    throw new TouchpointError('bad_request', `${given} is the start of several ${what} ids: give more characters`);
  }
  return found[0] as string;
}

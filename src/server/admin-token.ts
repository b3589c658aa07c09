import { randomBytes } from 'node:crypto';
import type { Store } from '../store/contract.ts';

/** The admin token: from config, else from the environment, else generated once and kept in the store. */
export async function resolveAdminToken(
  store: Store,
  configured: string | undefined,
): Promise<{ token: string; generated: boolean }> {
  if (configured) return { token: configured, generated: false };
  const fromEnv = process.env.TOUCHPOINT_ADMIN_TOKEN;
  if (fromEnv) return { token: fromEnv, generated: false };
  const kept = await store.getState<string>('core', 'adminToken');
  if (kept) return { token: kept, generated: true };
  const token = randomBytes(24).toString('base64url');
  await store.setState('core', 'adminToken', token);
  return { token, generated: true };
}

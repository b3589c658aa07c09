import type { AdapterRegistry } from '../src/channel/contract.ts';

/** The channel adapters this build ships, by channel name. */
export const adapters: AdapterRegistry = {};

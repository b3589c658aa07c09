import type { BlobStore } from '../blobs/contract.ts';
import { openBlobStore } from '../blobs/open.ts';
import { type CliContext, dataDirOf } from './context.ts';
import { loadConfig } from './load-config.ts';

/** The blob store router.yaml names (attachments), as the router opens it: erase deletes files there, export reads them. */
export function cliBlobStore(
  ctx: CliContext,
  values: { config: string; flows: string; data?: string | undefined },
): BlobStore {
  const settings = loadConfig({
    configDir: values.config,
    flowsDir: values.flows,
    adapters: ctx.adapters,
    env: ctx.env,
  });
  return openBlobStore(settings.router.attachments, dataDirOf(ctx, values.data));
}

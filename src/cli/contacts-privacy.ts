import { writeFileSync } from 'node:fs';
import type { Actor } from '../access/audit.ts';
import { eraseContact } from '../privacy/erase.ts';
import { exportContact } from '../privacy/export.ts';
import { helpOption, jsonOption, parseCommand, UsageError } from './args.ts';
import { cliBlobStore } from './blob-store.ts';
import { type CliContext, configOptions, dataOption } from './context.ts';
import { resolveId } from './id-prefix.ts';
import { withStore } from './with-store.ts';

const DATA =
  '  --by NAME    who you are, for the audit log (default: cli)\n  --config DIR config folder, for where attachment files live (default: config)\n  --data DIR   data folder (default: $TOUCHPOINT_DATA_DIR or data; DATABASE_URL selects PostgreSQL)\n  --json       print JSON';

export const privacyUsages = {
  export: `Usage: touchpoint contacts export ID [--out FILE] [--by NAME] [--data DIR]

Writes everything held about a contact as one JSON document: contact, identities, tags, merges,
conversations with every message and note (attachments with their bytes, base64, in
"contentBase64"), flow answers, CSAT, consent, audit entries. Without --out it is printed. The export is recorded in the audit log.

  --out FILE   write the document to FILE
${DATA}`,
  erase: `Usage: touchpoint contacts erase ID --yes [--by NAME] [--data DIR] [--json]

Erases a contact: messages, identities, raw provider payloads, flow answers, notes and attachment
files (those no other message holds) are removed;
anonymous counts stay so the metrics are unchanged. A redelivered webhook of theirs does not bring
them back. Safe to run again; an erasure a crash interrupted is finished at the next start.

  --yes        confirm: this cannot be undone
${DATA}`,
};

const options = { ...helpOption, ...jsonOption, ...dataOption, ...configOptions, by: { type: 'string' } } as const;
const cliActor = (by: string | undefined): Actor => ({
  agentId: by ?? 'cli',
  name: by ?? 'cli',
  role: 'admin',
  via: 'cli',
});

export async function exportSub(args: string[], ctx: CliContext): Promise<number> {
  const u = privacyUsages.export;
  const { values, positionals, help } = parseCommand(args, { ...options, out: { type: 'string' } }, u, {
    min: 1,
    max: 1,
  });
  if (help) {
    ctx.out.help(u);
    return 0;
  }
  const doc = await withStore(ctx, values.data, async (store) => {
    const id = await resolveId(store, 'contacts', positionals[0] as string);
    return exportContact(store, id, cliActor(values.by), Date.now(), cliBlobStore(ctx, values));
  });
  const text = `${JSON.stringify(doc, null, 2)}\n`;
  if (values.out) {
    writeFileSync(values.out, text, { mode: 0o600 });
    ctx.out.info(`contact ${doc.contact.id} exported to ${values.out} (${doc.conversations.length} conversations)`);
  } else ctx.out.result(doc, () => text.trimEnd());
  return 0;
}

export async function eraseSub(args: string[], ctx: CliContext): Promise<number> {
  const u = privacyUsages.erase;
  const { values, positionals, help } = parseCommand(args, { ...options, yes: { type: 'boolean' } }, u, {
    min: 1,
    max: 1,
  });
  if (help) {
    ctx.out.help(u);
    return 0;
  }
  if (values.yes !== true) throw new UsageError('erasing cannot be undone: add --yes to confirm', u);
  const result = await withStore(ctx, values.data, async (store) => {
    const id = await resolveId(store, 'contacts', positionals[0] as string);
    return eraseContact(store, id, cliActor(values.by), Date.now(), cliBlobStore(ctx, values));
  });
  const e = result.erased;
  ctx.out.result(result, () => [
    `contact ${result.contactId} erased`,
    `  removed: ${e.messages} messages, ${e.identities} identities, ${e.inboundEvents} raw payloads, ${e.outbox} queued sends, ${e.timers} timers`,
    ...(result.files
      ? [
          `  files: ${result.files.deleted} deleted, ${result.files.shared} kept (another message holds them), ${result.files.left} left to retry`,
        ]
      : []),
  ]);
  return 0;
}

import { type ContactView, contactView } from '../contacts/contact-view.ts';
import { linkIdentity } from '../contacts/link.ts';
import { mergeContacts } from '../contacts/merge.ts';
import { acceptSuggestion, rejectSuggestion } from '../contacts/suggestions.ts';
import { TouchpointError } from '../errors.ts';
import type { MergeSuggestion } from '../store/contact-records.ts';
import type { Store } from '../store/contract.ts';
import { helpOption, jsonOption, parseCommand, positiveInt, UsageError } from './args.ts';
import { eraseSub, exportSub } from './contacts-privacy.ts';
import { type CliContext, type Command, dataOption } from './context.ts';
import { resolveId } from './id-prefix.ts';
import { isoTime, table } from './output.ts';
import { runSubcommand } from './subcommands.ts';
import { withStore } from './with-store.ts';

const DATA =
  '  --data DIR   data folder (default: $TOUCHPOINT_DATA_DIR or data; DATABASE_URL selects PostgreSQL)\n  --json       print JSON';

const usages = {
  list: `Usage: touchpoint contacts list [--search TEXT] [--tag TAG] [--vip] [--limit N] [--data DIR] [--json]

Lists contacts, newest first. --search matches a name or an identity (email, phone …).
${DATA}`,
  show: `Usage: touchpoint contacts show ID [--data DIR] [--json]

Shows a contact: identities, tags, every conversation on every channel, opt-outs, merges.
ID may be any unique start of the id; a merged-away id shows the contact it was merged into.
${DATA}`,
  suggestions: `Usage: touchpoint contacts suggestions [--data DIR] [--json]

Lists suggested matches waiting for an agent, with the reason.
${DATA}`,
  accept: `Usage: touchpoint contacts accept SUGGESTION_ID [--into CONTACT_ID] [--by NAME] [--data DIR] [--json]

Accepts a suggested match: the newer contact is merged into the older (or into --into).
${DATA}`,
  reject: `Usage: touchpoint contacts reject SUGGESTION_ID [--by NAME] [--data DIR] [--json]

Rejects a suggested match; the pair is not suggested again.
${DATA}`,
  merge: `Usage: touchpoint contacts merge FROM_ID INTO_ID [--by NAME] [--data DIR] [--json]

Merges contact FROM_ID into INTO_ID: identities, conversations, timers, tags, attributes, opt-outs.
${DATA}`,
  link: `Usage: touchpoint contacts link ID KIND VALUE [--verified] [--by NAME] [--data DIR] [--json]

Adds an identity to a contact (KIND: email, phone, whatsapp …). Refused when another contact has it.
${DATA}`,
};

const usage = `Usage: touchpoint contacts <list|show|suggestions|accept|reject|merge|link|export|erase> …

  list          list and search contacts (--search, --tag, --vip)
  show          one contact with every conversation on every channel
  suggestions   suggested matches waiting for an agent
  accept        accept a suggestion (merges the two contacts)
  reject        reject a suggestion
  merge         merge one contact into another
  link          add an identity to a contact
  export        everything held about a contact, as JSON
  erase         erase a contact (--yes)

Run \`touchpoint contacts <subcommand> --help\` for the options.`;

export const contactsCommand: Command = {
  name: 'contacts',
  summary: 'list, show, link and merge contacts; answer suggested matches',
  usage,
  run: (args, ctx) =>
    runSubcommand(args, ctx, usage, {
      list,
      show,
      suggestions,
      accept,
      reject,
      merge,
      link,
      export: exportSub,
      erase: eraseSub,
    }),
};

const byOption = { by: { type: 'string' } } as const;
const common = { ...helpOption, ...jsonOption, ...dataOption };

function parsed<O extends Record<string, { type: 'string' | 'boolean' }>>(
  args: string[],
  ctx: CliContext,
  name: keyof typeof usages,
  options: O,
  positionals: number,
) {
  const r = parseCommand(args, { ...common, ...options }, usages[name], { min: positionals, max: positionals });
  if (r.help) ctx.out.help(usages[name]);
  return r;
}

async function list(args: string[], ctx: CliContext): Promise<number> {
  const opts = {
    search: { type: 'string' },
    tag: { type: 'string' },
    vip: { type: 'boolean' },
    limit: { type: 'string' },
  } as const;
  const { values, help } = parsed(args, ctx, 'list', opts, 0);
  if (help) return 0;
  const limit = positiveInt(values.limit, '--limit', usages.list) ?? 50;
  const contacts = await withStore(ctx, values.data, (store) =>
    store.listContacts({
      limit,
      ...(values.search ? { search: values.search } : {}),
      ...(values.tag ? { tag: values.tag } : {}),
      ...(values.vip ? { vip: true } : {}),
    }),
  );
  ctx.out.result({ contacts }, () =>
    contacts.length === 0
      ? 'no contacts'
      : table(
          ['ID', 'NAME', 'VIP', 'CREATED'],
          contacts.map((c) => [c.id, c.name ?? '-', c.vip ? 'VIP' : '-', isoTime(c.createdAt)]),
        ),
  );
  return 0;
}

async function show(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals, help } = parsed(args, ctx, 'show', {}, 1);
  if (help) return 0;
  const view = await withStore(ctx, values.data, async (store) => {
    const given = await resolveId(store, 'contacts', positionals[0] as string);
    const id = (await store.mergedInto(given)) ?? given;
    const contact = await store.getContact(id);
    if (!contact) throw new TouchpointError('not_found', `no contact ${id}`);
    return contactView(store, contact);
  });
  ctx.out.result(view, () => describe(view));
  return 0;
}

function describe(v: ContactView): string[] {
  const c = v.contact;
  return [
    `Contact ${c.id}${c.vip ? '  [VIP]' : ''}`,
    `  name:       ${c.name ?? '-'}    language: ${c.language ?? '-'}    timezone: ${c.timezone ?? '-'}`,
    `  opted out:  ${c.optOuts.join(', ') || '-'}    tags: ${v.tags.join(', ') || '-'}`,
    `  attributes: ${Object.keys(c.attributes).length === 0 ? '-' : JSON.stringify(c.attributes)}`,
    '  identities:',
    ...v.identities.map((i) => `    ${i.kind} ${i.value}${i.verified ? ' (verified)' : ''}`),
    '  conversations:',
    ...(v.conversations.length === 0
      ? ['    -']
      : v.conversations.map(
          (x) => `    ${x.id} ${x.touchpoint.channel} (${x.touchpoint.kind}) ${x.status} ${isoTime(x.updatedAt)}`,
        )),
    ...v.merges.map((m) => `  merged ${m.fromId} into ${m.intoId} by ${m.by} at ${isoTime(m.at)}`),
    ...v.suggestions.map((s) => `  suggested match ${s.id}: ${s.reason}, ${s.evidence}`),
  ];
}

async function suggestions(args: string[], ctx: CliContext): Promise<number> {
  const { values, help } = parsed(args, ctx, 'suggestions', {}, 0);
  if (help) return 0;
  const pending = await withStore(ctx, values.data, (store) => store.listSuggestions({ status: 'pending' }));
  ctx.out.result({ suggestions: pending }, () =>
    pending.length === 0 ? 'no suggestions' : table(['ID', 'CONTACT', 'OTHER', 'REASON', 'EVIDENCE'], pending.map(row)),
  );
  return 0;
}

const row = (s: MergeSuggestion) => [s.id, s.contactId, s.otherId, s.reason, s.evidence];

async function decide(
  args: string[],
  ctx: CliContext,
  name: 'accept' | 'reject',
  run: (store: Store, id: string, by: string, into: string | undefined) => Promise<unknown>,
): Promise<number> {
  const opts = { ...byOption, into: { type: 'string' } } as const;
  const { values, positionals, help } = parsed(args, ctx, name, opts, 1);
  if (help) return 0;
  if (name === 'reject' && values.into) throw new UsageError('--into is for accept only', usages.reject);
  const result = await withStore(ctx, values.data, async (store) => {
    const into = values.into ? await resolveId(store, 'contacts', values.into) : undefined;
    return run(store, positionals[0] as string, values.by ?? 'cli', into);
  });
  ctx.out.result(result, () => `suggestion ${positionals[0]} ${name === 'accept' ? 'accepted' : 'rejected'}`);
  return 0;
}

const accept = (args: string[], ctx: CliContext) =>
  decide(args, ctx, 'accept', (store, id, by, into) =>
    store.transaction((tx) => acceptSuggestion(tx, id, { by, now: Date.now(), into, via: 'cli' })),
  );
const reject = (args: string[], ctx: CliContext) =>
  decide(args, ctx, 'reject', (store, id, by) =>
    store.transaction((tx) => rejectSuggestion(tx, id, { by, now: Date.now(), via: 'cli' })),
  );

async function merge(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals, help } = parsed(args, ctx, 'merge', byOption, 2);
  if (help) return 0;
  const record = await withStore(ctx, values.data, async (store) => {
    const fromId = await resolveId(store, 'contacts', positionals[0] as string);
    const intoId = await resolveId(store, 'contacts', positionals[1] as string);
    return store.transaction((tx) =>
      mergeContacts(tx, { fromId, intoId, by: values.by ?? 'cli', now: Date.now(), via: 'cli' }),
    );
  });
  ctx.out.result(record, () => [
    `merged ${record.fromId} into ${record.intoId}`,
    `  moved: ${record.moved.identities.length} identities, ${record.moved.conversations.length} conversations, ${record.moved.timers} timers`,
  ]);
  return 0;
}

async function link(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals, help } = parsed(args, ctx, 'link', { ...byOption, verified: { type: 'boolean' } }, 3);
  if (help) return 0;
  const [given, kind, value] = positionals as [string, string, string];
  const identity = await withStore(ctx, values.data, async (store) => {
    const id = await resolveId(store, 'contacts', given);
    return store.transaction((tx) => linkIdentity(tx, id, { kind, value, verified: values.verified === true }));
  });
  ctx.out.result(identity, () => `${identity.kind} ${identity.value} linked to ${identity.contactId}`);
  return 0;
}

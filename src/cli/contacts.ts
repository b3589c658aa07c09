import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { type ContactView, contactView } from '../contacts/contact-view.ts';
import { splitAttribute } from '../contacts/contacts-api.ts';
import { linkIdentity } from '../contacts/link.ts';
import { liveContact, mergeContacts } from '../contacts/merge.ts';
import { acceptSuggestion, rejectSuggestion } from '../contacts/suggestions.ts';
import { refreshVip } from '../contacts/vip.ts';
import { TouchpointError } from '../errors.ts';
import { contactsFile, type VipCriteria } from '../settings/contacts-schema.ts';
import type { ContactChange, MergeSuggestion } from '../store/contact-records.ts';
import type { Store } from '../store/contract.ts';
import { helpOption, jsonOption, parseCommand, positiveInt, UsageError } from './args.ts';
import { eraseSub, exportSub } from './contacts-privacy.ts';
import { write } from './contacts-write.ts';
import { type CliContext, type Command, dataOption } from './context.ts';
import { resolveId } from './id-prefix.ts';
import { isoTime, table } from './output.ts';
import { runSubcommand } from './subcommands.ts';
import { withStore } from './with-store.ts';

const DATA =
  '  --data DIR   data folder (default: $TOUCHPOINT_DATA_DIR or data; DATABASE_URL selects PostgreSQL)\n  --json       print JSON';

const usages = {
  list: `Usage: touchpoint contacts list [--search TEXT] [--tag TAG] [--vip] [--attribute NAME:VALUE] [--limit N] [--data DIR] [--json]

Lists contacts, newest first. --search matches a name or an identity (email, phone …);
--attribute plan:gold those whose attribute has that value.
${DATA}`,
  show: `Usage: touchpoint contacts show ID [--data DIR] [--json]

Shows a contact: identities, tags, every conversation on every channel, opt-outs, merges,
and the history of consent, opt-outs and VIP (when, and who or what changed it).
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
  tag: `Usage: touchpoint contacts tag ID [--add TAG …] [--remove TAG …] [--config DIR] [--data DIR] [--json]

Adds and removes a contact's tags; the VIP flag follows the criteria of DIR/contacts.yaml (default config/).
${DATA}`,
  link: `Usage: touchpoint contacts link ID KIND VALUE [--verified] [--by NAME] [--data DIR] [--json]

Adds an identity to a contact (KIND: email, phone, whatsapp …). Refused when another contact has it.
${DATA}`,
};

const usage = `Usage: touchpoint contacts <list|show|suggestions|accept|reject|merge|link|tag|write|export|erase> …

  list          list and search contacts (--search, --tag, --vip)
  show          one contact with every conversation on every channel
  suggestions   suggested matches waiting for an agent
  accept        accept a suggestion (merges the two contacts)
  reject        reject a suggestion
  merge         merge one contact into another
  link          add an identity to a contact
  tag           add and remove tags
  write         write first to a contact (through the running router)
  export        everything held about a contact, as JSON
  erase         erase a contact (--yes)

Run \`touchpoint contacts <subcommand> --help\` for the options.`;

export const contactsCommand: Command = {
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
      tag,
      write,
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
    attribute: { type: 'string' },
    limit: { type: 'string' },
  } as const;
  const { values, help } = parsed(args, ctx, 'list', opts, 0);
  if (help) return 0;
  const limit = positiveInt(values.limit, '--limit', usages.list) ?? 50;
  if (values.attribute !== undefined && !/^[\w-]+:./.test(values.attribute))
    throw new UsageError('--attribute NAME:VALUE, e.g. plan:gold', usages.list);
  const contacts = await withStore(ctx, values.data, (store) =>
    store.listContacts({
      limit,
      ...(values.search ? { search: values.search } : {}),
      ...(values.tag ? { tag: values.tag } : {}),
      ...(values.vip ? { vip: true } : {}),
      ...(values.attribute ? { attribute: splitAttribute(values.attribute) } : {}),
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
    ...(v.history.length === 0 ? [] : ['  history (consent, opt-outs, VIP):']),
    ...v.history.map((h) => `    ${isoTime(h.at)} ${changeText(h)} — ${h.source}`),
  ];
}

function changeText(h: ContactChange): string {
  if (h.kind === 'vip') return h.on ? 'became VIP' : 'no longer VIP';
  if (h.kind === 'consent') return `${h.on ? 'consent given' : 'consent withdrawn'} for ${h.channel}`;
  return `${h.on ? 'opted out of' : 'opted back in to'} ${h.channel}`;
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

async function tag(args: string[], ctx: CliContext): Promise<number> {
  const opts = {
    add: { type: 'string', multiple: true },
    remove: { type: 'string', multiple: true },
    config: { type: 'string', default: 'config' },
  } as const;
  const r = parseCommand(args, { ...common, ...opts }, usages.tag, { min: 1, max: 1 });
  if (r.help) {
    ctx.out.help(usages.tag);
    return 0;
  }
  const add = r.values.add ?? [];
  const remove = r.values.remove ?? [];
  if (add.length + remove.length === 0) throw new UsageError('give --add TAG or --remove TAG', usages.tag);
  const vip = await vipCriteriaOf(r.values.config);
  const tags = await withStore(ctx, r.values.data, async (store) => {
    const id = await resolveId(store, 'contacts', r.positionals[0] as string);
    return store.transaction(async (tx) => {
      const contact = await liveContact(tx, id);
      await tx.addTags(id, add);
      await tx.removeTags(id, remove);
      await refreshVip(tx, contact, vip, { now: Date.now(), cause: 'tags edited' });
      return tx.tagsOf(id);
    });
  });
  ctx.out.result({ tags }, () => `tags: ${tags.join(', ') || '-'}`);
  return 0;
}

/** The VIP criteria of contacts.yaml in --config (default config/), so tags edited here move the flag as the router would. */
async function vipCriteriaOf(dir: string): Promise<VipCriteria | undefined> {
  const file = join(dir, 'contacts.yaml');
  if (!existsSync(file)) return undefined;
  const parsed = contactsFile.safeParse(parseYaml(await readFile(file, 'utf8')) ?? {});
  if (!parsed.success)
    throw new TouchpointError(
      'config_invalid',
      `${file} is not valid: run \`touchpoint check\` for where and how to fix it`,
    );
  return parsed.data.vip;
}

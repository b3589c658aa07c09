import { TouchpointError } from '../errors.ts';
import type { Conversation, ConversationStatus, Message } from '../model/types.ts';
import type { Store } from '../store/contract.ts';
import { helpOption, jsonOption, parseCommand, positiveInt, UsageError } from './args.ts';
import { type CliContext, type Command, dataOption } from './context.ts';
import { resolveId } from './id-prefix.ts';
import { excerpt, isoTime, table } from './output.ts';
import { runSubcommand } from './subcommands.ts';
import { withStore } from './with-store.ts';

const STATUSES: ConversationStatus[] = ['open', 'pending', 'snoozed', 'resolved', 'closed'];
const PAGE = 500;
const MAX_PAGES = 200;

const listUsage = `Usage: touchpoint conversations list [--status open,pending] [--limit N] [--data DIR] [--json]

Lists conversations, most recently updated first.

Options:
  --status LIST   only these statuses, comma-separated: ${STATUSES.join(', ')}
  --limit N       at most N conversations (default 50, at most 1000)
  --data DIR      data folder (default: $TOUCHPOINT_DATA_DIR or data; DATABASE_URL selects PostgreSQL)
  --json          print JSON`;

const showUsage = `Usage: touchpoint conversations show ID [--data DIR] [--json]

Shows one conversation and all its messages, internal notes included. ID may be any unique start of the id.

Options:
  --data DIR   data folder (default: $TOUCHPOINT_DATA_DIR or data; DATABASE_URL selects PostgreSQL)
  --json       print JSON`;

const usage = `Usage: touchpoint conversations <list|show> …

  list   list conversations (--status, --limit)
  show   show one conversation with its messages

Run \`touchpoint conversations <list|show> --help\` for the options.`;

export const conversationsCommand: Command = {
  usage,
  run: (args, ctx) => runSubcommand(args, ctx, usage, { list, show }),
};

async function list(args: string[], ctx: CliContext): Promise<number> {
  const { values, help } = parseCommand(
    args,
    { ...helpOption, ...jsonOption, ...dataOption, status: { type: 'string' }, limit: { type: 'string' } },
    listUsage,
  );
  if (help) {
    ctx.out.help(listUsage);
    return 0;
  }
  const status = statusesOf(values.status);
  const limit = positiveInt(values.limit, '--limit', listUsage) ?? 50;
  const rows = await withStore(ctx, values.data, async (store) => {
    const conversations = await store.listConversations({ limit, ...(status ? { status } : {}) });
    return Promise.all(
      conversations.map(async (c) => ({ ...c, contactName: (await store.getContact(c.contactId))?.name ?? null })),
    );
  });
  ctx.out.result({ conversations: rows }, () =>
    rows.length === 0
      ? 'no conversations'
      : table(
          ['ID', 'STATUS', 'CHANNEL', 'PRIORITY', 'CATEGORY', 'CONTACT', 'UPDATED'],
          rows.map((c) => [
            c.id,
            c.status,
            c.touchpoint.kind,
            c.priority,
            c.category ?? '-',
            c.contactName ?? '-',
            isoTime(c.updatedAt),
          ]),
        ),
  );
  return 0;
}

async function show(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals, help } = parseCommand(args, { ...helpOption, ...jsonOption, ...dataOption }, showUsage, {
    min: 1,
    max: 1,
  });
  if (help) {
    ctx.out.help(showUsage);
    return 0;
  }
  const found = await withStore(ctx, values.data, async (store) => {
    const id = await resolveId(store, 'conversations', positionals[0] as string);
    const conversation = await store.getConversation(id);
    if (!conversation) return null;
    const contact = await store.getContact(conversation.contactId);
    return { conversation, contact, messages: await allMessages(store, id) };
  });
  if (!found) throw new TouchpointError('not_found', `no conversation with id ${positionals[0]}`);
  ctx.out.result(found, () => [
    ...describe(found.conversation, found.contact?.name ?? null),
    '',
    ...found.messages.map(messageLine),
  ]);
  return 0;
}

async function allMessages(store: Store, conversationId: string): Promise<Message[]> {
  const out: Message[] = [];
  for (let i = 0; i < MAX_PAGES; i++) {
    const page = await store.listMessages(conversationId, {
      includeInternal: true,
      limit: PAGE,
      afterId: out.at(-1)?.id ?? null,
    });
    out.push(...page);
    if (page.length < PAGE) break;
  }
  return out;
}

function describe(c: Conversation, contactName: string | null): string[] {
  return [
    `Conversation ${c.id}`,
    `  status:   ${c.status}    priority: ${c.priority}    category: ${c.category ?? '-'}    intent: ${c.intent ?? '-'}`,
    `  channel:  ${c.touchpoint.channel} (${c.touchpoint.kind}, ${c.touchpoint.visibility})`,
    `  contact:  ${contactName ?? '-'} (${c.contactId})`,
    `  assignee: ${c.assignee ?? '-'}    tags: ${c.tags.join(', ') || '-'}`,
    `  opened:   ${isoTime(c.createdAt)}    updated: ${isoTime(c.updatedAt)}`,
  ];
}

function messageLine(m: Message): string {
  const arrow = m.direction === 'inbound' ? '←' : '→';
  const who = m.author.name ? `${m.author.kind} ${m.author.name}` : m.author.kind;
  const note = m.visibility === 'internal' ? ' [internal note]' : '';
  const error = m.error ? ` (${excerpt(m.error, 80)})` : '';
  return `${isoTime(m.createdAt)} ${arrow} ${who} [${m.status}]${note}${error}: ${m.text}`;
}

function statusesOf(text: string | undefined): ConversationStatus[] | undefined {
  if (text === undefined) return undefined;
  const parts = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = parts.filter((p) => !STATUSES.includes(p as ConversationStatus));
  if (bad.length > 0 || parts.length === 0) {
    throw new UsageError(`--status takes ${STATUSES.join(', ')} (comma-separated), got "${text}"`, listUsage);
  }
  return parts as ConversationStatus[];
}

import { helpOption, jsonOption, parseCommand, positiveInt } from './args.ts';
import { type CliContext, type Command, dataOption } from './context.ts';
import { isoTime, table } from './output.ts';
import { withStore } from './with-store.ts';

const usage = `Usage: touchpoint audit [--actor ID] [--action NAME] [--conversation ID] [--contact ID] [--limit N] [--data DIR] [--json]

Shows the audit log, newest first: who did what, when and from where (api, cli, dashboard, slack).
It is append-only; entries of erased customers keep the action and ids, never their content.

Options:
  --actor ID          only this agent's actions
  --action NAME       only this action (reply, note, assign, resolve, snooze, merge, export, erase, retry, token.rotate …)
  --conversation ID   only actions on this conversation
  --contact ID        only actions about this contact
  --limit N           at most N entries (default 50, at most 1000)
  --data DIR          data folder (default: $TOUCHPOINT_DATA_DIR or data; DATABASE_URL selects PostgreSQL)
  --json              print JSON`;

const options = {
  ...helpOption,
  ...jsonOption,
  ...dataOption,
  actor: { type: 'string' },
  action: { type: 'string' },
  conversation: { type: 'string' },
  contact: { type: 'string' },
  limit: { type: 'string' },
} as const;

export const auditCommand: Command = {
  usage,
  async run(args: string[], ctx: CliContext): Promise<number> {
    const { values, help } = parseCommand(args, options, usage);
    if (help) {
      ctx.out.help(usage);
      return 0;
    }
    const limit = Math.min(positiveInt(values.limit, '--limit', usage) ?? 50, 1000);
    const entries = await withStore(ctx, values.data, (store) =>
      store.listAudit({
        limit,
        ...(values.actor ? { actorId: values.actor } : {}),
        ...(values.action ? { action: values.action } : {}),
        ...(values.conversation ? { conversationId: values.conversation } : {}),
        ...(values.contact ? { contactId: values.contact } : {}),
      }),
    );
    ctx.out.result({ entries }, () =>
      entries.length === 0
        ? 'no audit entries'
        : table(
            ['AT', 'ACTOR', 'VIA', 'ACTION', 'CONVERSATION', 'DETAIL'],
            entries.map((e) => [
              isoTime(e.at),
              `${e.actorId} (${e.actorRole})`,
              e.via,
              e.action,
              e.conversationId ?? '-',
              JSON.stringify(e.detail),
            ]),
          ),
    );
    return 0;
  },
};

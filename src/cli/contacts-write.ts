import { TouchpointError } from '../errors.ts';
import { helpOption, jsonOption, parseCommand, UsageError } from './args.ts';
import { type CliContext, dataOption } from './context.ts';
import { resolveId } from './id-prefix.ts';
import { withStore } from './with-store.ts';

export const writeUsage = `Usage: touchpoint contacts write ID (--text TEXT | --template ID [--var NAME=VALUE …]) --by NAME
                               [--channel CH] [--url URL] [--data DIR] [--json]

An agent writes first to a contact: on --channel, or on the channel the first-contact rules of
contacts.yaml choose. Sent by the running router (its outbound chain and outbox), through its API;
refused with the reason when the contact opted out, no consent is on file, or free text would go
outside WhatsApp's 24 hours (use a template with an approved whatsapp reference).

Options:
  --url URL    the router (default: $TOUCHPOINT_URL or http://127.0.0.1:3000)
  --data DIR   data folder, to resolve an id prefix and read a generated admin token
               (default: $TOUCHPOINT_DATA_DIR or data; DATABASE_URL selects PostgreSQL)
  The admin token is $TOUCHPOINT_ADMIN_TOKEN, else the one the router generated and kept.
  --json       print JSON`;

export async function write(args: string[], ctx: CliContext): Promise<number> {
  const options = {
    ...helpOption,
    ...jsonOption,
    ...dataOption,
    text: { type: 'string' },
    template: { type: 'string' },
    var: { type: 'string', multiple: true },
    channel: { type: 'string' },
    by: { type: 'string' },
    url: { type: 'string' },
  } as const;
  const { values, positionals, help } = parseCommand(args, options, writeUsage, { min: 1, max: 1 });
  if (help) {
    ctx.out.help(writeUsage);
    return 0;
  }
  if ((values.text === undefined) === (values.template === undefined))
    throw new UsageError('give --text or --template (one of them)', writeUsage);
  if (!values.by) throw new UsageError('--by NAME: the agent writing', writeUsage);
  const vars = Object.fromEntries(
    (values.var ?? []).map((v) => {
      const at = v.indexOf('=');
      if (at < 1) throw new UsageError(`--var ${v}: write NAME=VALUE`, writeUsage);
      return [v.slice(0, at), v.slice(at + 1)];
    }),
  );
  const { id, token } = await withStore(ctx, values.data, async (store) => ({
    id: await resolveId(store, 'contacts', positionals[0] as string),
    token: ctx.env.TOUCHPOINT_ADMIN_TOKEN || (await store.getState<string>('core', 'adminToken')),
  }));
  if (!token) throw new TouchpointError('unauthorized', 'no admin token: set TOUCHPOINT_ADMIN_TOKEN');
  const base = (values.url ?? (ctx.env.TOUCHPOINT_URL || 'http://127.0.0.1:3000')).replace(/\/+$/, '');
  const body = {
    by: values.by,
    ...(values.channel ? { channel: values.channel } : {}),
    ...(values.text !== undefined ? { text: values.text } : { template: values.template, vars }),
  };
  let res: Response;
  try {
    res = await fetch(`${base}/api/contacts/${encodeURIComponent(id)}/conversations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  } catch (err) {
    throw new TouchpointError(
      'unreachable',
      `the router at ${base} did not answer (${(err as Error).message}): is it running? --url`,
    );
  }
  const answer = (await res.json()) as Record<string, unknown>;
  if (!res.ok)
    throw new TouchpointError('unreachable', `refused (${res.status}): ${String(answer.reason ?? answer.error)}`);
  const conversation = answer.conversation as { id: string; touchpoint: { channel: string } };
  const message = answer.message as { id: string; status: string };
  ctx.out.result(answer, () => [
    `${answer.opened ? 'opened' : 'wrote in'} conversation ${conversation.id} on ${conversation.touchpoint.channel}`,
    `  message ${message.id}: ${message.status}`,
  ]);
  return 0;
}

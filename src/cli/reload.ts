import { join } from 'node:path';
import { type ConfigProblem, TouchpointError } from '../errors.ts';
import { configFiles } from '../settings/schema.ts';
import { readYamlFile, validateYaml } from '../settings/yaml-file.ts';
import { helpOption, parseCommand } from './args.ts';
import { type CliContext, type Command, dataOption } from './context.ts';
import { withStore } from './with-store.ts';

const usage = `Usage: touchpoint reload [--url URL] [--config DIR] [--data DIR]

Asks the running router to load config/ and flows/ again, without a restart.
Flows, templates, intents, the business hours and holidays, and the policy
files (triage, knowledge, handoff, SLA, on-call, targets) apply from the next
message on. Changes to channels.yaml or router.yaml are reported as needing a
restart and are not applied. When the new config has a problem, nothing is
applied: the router goes on with the config it runs, and the problems are
printed with file, line and fix. Sending SIGHUP to the router does the same.

Options:
  --url URL      the router (default: $TOUCHPOINT_URL, else http://127.0.0.1 on
                 $PORT or router.yaml's port)
  --config DIR   settings folder, for router.yaml's port and admin token (default: config)
  --data DIR     data folder, for the generated admin token (default: $TOUCHPOINT_DATA_DIR or data)

Environment:
  TOUCHPOINT_ADMIN_TOKEN   the admin token, when router.yaml sets none`;

interface Answer {
  ok?: boolean;
  applied?: string[];
  needsRestart?: string[];
  problems?: ConfigProblem[];
  warnings?: ConfigProblem[];
  /** An HTTP error's code and reason (src/server/respond.ts). */
  error?: string;
  reason?: string;
}

export const reloadCommand: Command = {
  usage,
  async run(args, ctx) {
    const options = {
      ...helpOption,
      ...dataOption,
      url: { type: 'string' },
      config: { type: 'string', default: 'config' },
    } as const;
    const { values, help } = parseCommand(args, options, usage);
    if (help) {
      ctx.out.help(usage);
      return 0;
    }
    const server = routerYamlServer(ctx, values.config);
    const url = values.url ?? (ctx.env.TOUCHPOINT_URL || `http://127.0.0.1:${ctx.env.PORT || server.port}`);
    const token =
      server.adminToken ||
      ctx.env.TOUCHPOINT_ADMIN_TOKEN ||
      (await withStore(ctx, values.data, (store) => store.getState<string>('core', 'adminToken')));
    if (!token) {
      throw new TouchpointError(
        'unauthorized',
        'no admin token: set TOUCHPOINT_ADMIN_TOKEN, or pass the --data folder of the router that generated one',
      );
    }
    const answer = await post(`${url.replace(/\/+$/, '')}/api/admin/reload`, token);
    if (!answer.ok) {
      const n = answer.problems?.length ?? 0;
      ctx.out.error({
        code: 'config_invalid',
        message: `reload refused, the router goes on with the config it runs: the new config has ${n} problem${n === 1 ? '' : 's'}`,
        problems: answer.problems ?? [],
      });
      return 1;
    }
    ctx.out.result(answer, () => summary(answer));
    return 0;
  },
};

function summary(a: Answer): string[] {
  const applied = a.applied ?? [];
  const lines = [applied.length > 0 ? `reloaded: ${applied.join(', ')}` : 'reloaded: nothing changed'];
  if ((a.needsRestart ?? []).length > 0) {
    lines.push(`needs a restart (not applied): ${(a.needsRestart ?? []).join(', ')}`);
  }
  for (const w of a.warnings ?? [])
    lines.push(`warning: ${w.file}${w.line ? `:${w.line}` : ''}: ${w.message}. Fix: ${w.fix}`);
  return lines;
}

/** router.yaml's port and admin token, or the defaults when it is absent or broken (the router says what is wrong). */
function routerYamlServer(ctx: CliContext, configDir: string): { port: number; adminToken?: string | undefined } {
  const read = readYamlFile(join(configDir, 'router.yaml'), ctx.env);
  const router = read.problems.length === 0 ? validateYaml(read.yaml, configFiles['router.yaml']).value : null;
  return router?.server ?? { port: 3000 };
}

async function post(url: string, token: string): Promise<Answer> {
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  } catch (err) {
    const reason = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    throw new TouchpointError(
      'router_unreachable',
      `no router answers at ${url} (${reason}): is it running? pass --url or set TOUCHPOINT_URL`,
    );
  }
  const body = (await res.json().catch(() => ({}))) as Answer;
  if (res.status === 401)
    throw new TouchpointError('unauthorized', `the router refused the admin token: ${body.reason ?? ''}`);
  if (res.status !== 200 && res.status !== 422) {
    throw new TouchpointError(
      'router_unreachable',
      `the router answered ${res.status} at ${url}: ${body.reason ?? ''}`,
    );
  }
  return body;
}

import { statfsSync } from 'node:fs';
import { createAdapters } from '../channel/create-adapters.ts';
import { checkCredentials } from '../channel/credentials.ts';
import { systemClock } from '../clock.ts';
import { ConfigError, formatProblem } from '../errors.ts';
import { silentLogger } from '../log.ts';
import { helpOption, parseCommand } from './args.ts';
import { type Command, configOptions, databaseUrlOf, dataDirOf, dataOption } from './context.ts';
import { loadConfig } from './load-config.ts';
import { withStore } from './with-store.ts';

const usage = `Usage: touchpoint doctor [--config DIR] [--flows DIR] [--data DIR]

Prints what is enabled and what fails, with why: the settings (as check),
each enabled channel's credentials (one cheap call to the provider), the
store (reachable, dead letters waiting) and the free disk space of the data
folder. Exits 1 when something fails.`;

/** Below this much free space in the data folder, SQLite's WAL and checkpoints are at risk. */
const LOW_DISK_BYTES = 512 * 1024 * 1024;

export const doctorCommand: Command = {
  usage,
  async run(args, ctx) {
    const { values, help } = parseCommand(args, { ...helpOption, ...configOptions, ...dataOption }, usage);
    if (help) {
      ctx.out.help(usage);
      return 0;
    }
    const lines: string[] = [];
    let failed = false;
    const fail = (line: string) => {
      failed = true;
      lines.push(`FAIL  ${line}`);
    };
    try {
      const settings = loadConfig({
        configDir: values.config,
        flowsDir: values.flows,
        adapters: ctx.adapters,
        env: ctx.env,
      });
      lines.push(`ok    settings: ${settings.business.name}, ${settings.flows.length} flows`);
      for (const w of settings.warnings ?? []) lines.push(`warn  ${formatProblem(w)}`);
      const adapters = await createAdapters(ctx.adapters, settings, silentLogger, systemClock);
      lines.push(`ok    channels enabled: ${[...adapters.keys()].join(', ') || 'none'}`);
      const health = checkCredentials(adapters, silentLogger, 10_000);
      await health.done;
      for (const [name, state] of Object.entries(health.report())) {
        if (state.status === 'failed') fail(`${name}: ${state.reason}`);
        else if (state.status === 'ok') lines.push(`ok    ${name}: ${state.detail}`);
        else lines.push(`-     ${name}: no cheap credential check`);
      }
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      for (const p of err.problems) fail(formatProblem(p));
    }
    try {
      const dead = await withStore(ctx, values.data, (store) => store.countOutbox('dead'));
      lines.push(`ok    store: ${databaseUrlOf(ctx) ? 'PostgreSQL' : 'SQLite'} reachable`);
      if (dead > 0) lines.push(`warn  ${dead} dead letters: see \`touchpoint outbox dead\``);
    } catch (err) {
      fail(`store: ${(err as Error).message}`);
    }
    if (!databaseUrlOf(ctx)) {
      const dir = dataDirOf(ctx, values.data);
      try {
        const fs = statfsSync(dir);
        const free = fs.bavail * fs.bsize;
        const text = `disk: ${(free / 1024 ** 3).toFixed(1)} GiB free in ${dir}`;
        if (free < LOW_DISK_BYTES) fail(`${text}: free some space, the store needs room to write`);
        else lines.push(`ok    ${text}`);
      } catch {
        lines.push(`-     disk: no data folder at ${dir} yet`);
      }
    }
    ctx.out.result({ ok: !failed, lines }, () => lines);
    return failed ? 1 : 0;
  },
};

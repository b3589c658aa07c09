/**
 * `npm run test:mutation [-- --groups outbox-core,decide] [--minutes N] [--score]`:
 * StrykerJS on the code that carries the promises, one group at a time
 * (test/mutation/groups.ts), each at concurrency 1, incremental and stopped
 * past its time budget (`--minutes` overrides every group's). The last lines
 * are the mutation score per folder, over the latest report of every group.
 * `--score` only prints those lines from the reports already there.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { groups, type MutationGroup } from './groups.ts';
import { incrementalFile, reportDir, reportFile, scoreLines } from './score.ts';

const { values } = parseArgs({
  options: {
    groups: { type: 'string', default: groups.map((g) => g.name).join(',') },
    minutes: { type: 'string' },
    score: { type: 'boolean', default: false },
  },
});
const out = (s: string) => process.stdout.write(`${s}\n`);
const names = values.groups.split(',').map((s) => s.trim());
const unknown = names.filter((n) => !groups.some((g) => g.name === n));
if (unknown.length > 0) {
  throw new Error(`unknown group ${unknown.join(', ')}; use some of ${groups.map((g) => g.name).join(',')}`);
}
const budget = values.minutes === undefined ? null : Number(values.minutes);
if (budget !== null && !(budget > 0)) throw new Error(`--minutes must be above 0, got ${values.minutes}`);

function configFor(g: MutationGroup): string {
  const base = JSON.parse(readFileSync('stryker.config.json', 'utf8')) as Record<string, unknown>;
  const config = {
    ...base,
    mutate: g.mutate,
    incrementalFile: incrementalFile(g),
    jsonReporter: { fileName: reportFile(g) },
    htmlReporter: { fileName: join(reportDir, `${g.name}.html`) },
  };
  const path = join(reportDir, `${g.name}.stryker.json`);
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}

/** Runs one group; resolves with how it ended and how long it took. */
function runGroup(g: MutationGroup): Promise<string> {
  const minutes = budget ?? g.minutes;
  const started = performance.now();
  // Stryker's own entry point, not npx: npx would go to the registry if the install were incomplete.
  const child = spawn(process.execPath, ['node_modules/@stryker-mutator/core/bin/stryker.js', 'run', configFor(g)], {
    stdio: 'inherit',
    detached: true, // its own process group, so the budget stops Stryker and its test runner together
    env: { ...process.env, TOUCHPOINT_MUTATION_TESTS: g.tests.join(',') },
  });
  let stopped = false;
  const timer = setTimeout(() => {
    stopped = true;
    if (child.pid) process.kill(-child.pid, 'SIGTERM');
  }, minutes * 60_000);
  return new Promise((resolve) => {
    child.on('exit', (code) => {
      clearTimeout(timer);
      const secs = Math.round((performance.now() - started) / 1000);
      if (stopped)
        resolve(`${g.name}: stopped after its ${minutes}-minute budget; what it tested is kept, run it again to go on`);
      else resolve(`${g.name}: ${code === 0 ? 'done' : `failed (exit ${code})`} in ${secs} s`);
    });
  });
}

mkdirSync(reportDir, { recursive: true });
const ended: string[] = [];
if (!values.score) {
  for (const name of names) {
    const g = groups.find((x) => x.name === name) as MutationGroup;
    out(`\n== mutation group ${g.name}: ${g.mutate.join(' ')} (budget ${budget ?? g.minutes} min)`);
    ended.push(await runGroup(g));
  }
}
for (const line of [...ended, ...scoreLines()]) out(line);

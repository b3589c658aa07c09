import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { groups as allGroups, type MutationGroup } from './groups.ts';

/** Where each group's report lives (gitignored), and its incremental file (committed). */
export const reportDir = 'reports/mutation';
export const reportFile = (g: MutationGroup) => join(reportDir, `${g.name}.json`);
/** Committed: a run on a fresh checkout re-tests only the mutants whose code or tests changed since. */
export const incrementalFile = (g: MutationGroup) => join('test/mutation/incremental', `${g.name}.json`);

/** A run stopped at its budget saves what it tested to the incremental file but writes no report. */
function partial(g: MutationGroup): boolean {
  const report = reportFile(g);
  return !existsSync(report) || statSync(report).mtimeMs < statSync(incrementalFile(g)).mtimeMs - 60_000;
}

interface Tally {
  killed: number;
  timeout: number;
  survived: number;
  noCoverage: number;
  ignored: number;
}

const empty = (): Tally => ({ killed: 0, timeout: 0, survived: 0, noCoverage: 0, ignored: 0 });

function add(t: Tally, status: string): void {
  if (status === 'Killed') t.killed++;
  else if (status === 'Timeout') t.timeout++;
  else if (status === 'Survived') t.survived++;
  else if (status === 'NoCoverage') t.noCoverage++;
  else if (status === 'Ignored') t.ignored++;
  // CompileError and RuntimeError are not valid mutants: Stryker leaves them out of the score too.
}

/** Stryker's mutation score: detected (killed or timed out) over valid (detected, survived, not covered). */
export function score(t: Tally): number | null {
  const detected = t.killed + t.timeout;
  const valid = detected + t.survived + t.noCoverage;
  return valid === 0 ? null : (100 * detected) / valid;
}

const pct = (s: number | null) => (s === null ? '  n/a' : `${s.toFixed(1).padStart(5)}%`);
const describe = (t: Tally) =>
  `${t.killed} killed, ${t.timeout} timed out, ${t.survived} survived, ${t.noCoverage} not covered, ${t.ignored} reviewed`;

/** Lines per file, then per folder (the last lines), over the latest report of each group that has one. */
export function scoreLines(groups: MutationGroup[] = allGroups): string[] {
  const files = new Map<string, Tally>();
  const folders = new Map<string, { tally: Tally; groups: string[]; missing: string[] }>();
  for (const g of groups) {
    const f = folders.get(g.folder) ?? { tally: empty(), groups: [], missing: [] };
    folders.set(g.folder, f);
    const path = incrementalFile(g);
    if (!existsSync(path)) {
      f.missing.push(g.name);
      continue;
    }
    const when = statSync(path).mtime.toISOString().slice(0, 16).replace('T', ' ');
    f.groups.push(`${g.name} ${when}${partial(g) ? ' (stopped: run it again to finish)' : ''}`);
    const report = JSON.parse(readFileSync(path, 'utf8')) as {
      files: Record<string, { mutants: Array<{ status: string }> }>;
    };
    for (const [file, { mutants }] of Object.entries(report.files)) {
      const t = files.get(file) ?? empty();
      files.set(file, t);
      for (const m of mutants) {
        add(t, m.status);
        add(f.tally, m.status);
      }
    }
  }
  const lines = [...files].sort(([a], [b]) => a.localeCompare(b)).map(([file, t]) => `  ${pct(score(t))}  ${file}`);
  lines.push('mutation score per folder (detected / valid mutants, over the latest results of each group):');
  for (const [folder, f] of folders) {
    const missing = f.missing.length > 0 ? `; not run yet: ${f.missing.join(', ')}` : '';
    lines.push(
      `${pct(score(f.tally))}  ${folder}  (${describe(f.tally)}; ${f.groups.join(', ') || 'no report'}${missing})`,
    );
  }
  return lines;
}

import { type ConfigProblem, formatProblem } from '../errors.ts';

/**
 * All CLI printing goes through here: results to stdout, errors to stderr;
 * in `--json` mode both are single JSON documents, so scripts can parse them.
 */

export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
}

let pipesWatched = false;

/**
 * A reader that went away (`touchpoint test-flows | head`) ends the command
 * quietly, as Unix tools do: no EPIPE stack trace. Any other write error is
 * still thrown.
 */
function watchPipes(): void {
  if (pipesWatched) return;
  pipesWatched = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
      process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
    });
  }
}

export const processIO: CliIO = {
  stdout: (text) => {
    watchPipes();
    process.stdout.write(text);
  },
  stderr: (text) => {
    watchPipes();
    process.stderr.write(text);
  },
};

export interface ErrorReport {
  code: string;
  message: string;
  problems?: ConfigProblem[];
  /** Shown under the message in text mode (the command's usage). */
  usage?: string;
}

export class Output {
  readonly json: boolean;
  readonly #io: CliIO;

  constructor(io: CliIO, json: boolean) {
    this.#io = io;
    this.json = json;
  }

  /** A command's result: `data` as JSON, or the human-readable lines. */
  result(data: unknown, human: () => string | string[]): void {
    if (this.json) this.#io.stdout(`${JSON.stringify(data, null, 2)}\n`);
    else this.#lines('stdout', human());
  }

  /** A line for people (progress, notices); nothing in JSON mode. */
  info(text: string): void {
    if (!this.json) this.#lines('stdout', text);
  }

  /** Help text, always plain. */
  help(text: string): void {
    this.#lines('stdout', text);
  }

  error(report: ErrorReport): void {
    if (this.json) {
      const { usage: _usage, ...error } = report;
      this.#io.stderr(`${JSON.stringify({ error }, null, 2)}\n`);
      return;
    }
    const lines = [`error: ${report.message}`];
    for (const p of report.problems ?? []) lines.push(`  ${formatProblem(p)}`);
    if (report.usage) lines.push('', report.usage);
    this.#lines('stderr', lines);
  }

  #lines(stream: 'stdout' | 'stderr', text: string | string[]): void {
    const body = Array.isArray(text) ? text.join('\n') : text;
    this.#io[stream](body.endsWith('\n') ? body : `${body}\n`);
  }
}

/** Lays out rows as aligned columns under a header. */
export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** Text shortened to one line of at most `max` characters. */
export function excerpt(text: string, max = 60): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export const isoTime = (ms: number | null | undefined): string =>
  ms == null ? '-' : new Date(ms).toISOString().replace('T', ' ').slice(0, 19);

/** `[######------]  52%`: how much of `total` is done, in `width` cells. */
export function progressBar(done: number, total: number, width = 30): string {
  const share = total > 0 ? Math.min(1, done / total) : 0;
  const filled = Math.round(share * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.floor(share * 100)).padStart(3)}%`;
}

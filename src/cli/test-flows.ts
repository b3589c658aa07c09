import { formatProblem } from '../errors.ts';
import { findTranscripts, runTranscriptFiles, type TranscriptResult } from '../testkit/transcript-files.ts';
import { helpOption, jsonOption, parseCommand, UsageError } from './args.ts';
import { type Command, configOptions } from './context.ts';
import { loadConfig } from './load-config.ts';

const usage = `Usage: touchpoint test-flows [FILE|DIR …] [--config DIR] [--flows DIR] [--require-all] [--json]

Runs flow transcripts (default: the .yaml files in test/flows) against the
flows and templates, on a virtual clock: "the customer says X at time T, the
bot must say Y, the conversation must be in state Z". Each transcript runs on
a fresh database of its own; nothing is sent anywhere.

Options:
  --config DIR    settings folder (default: config)
  --flows DIR     flows folder (default: flows)
  --require-all   fail when a flow is run by no transcript
  --json          print the results as JSON
Exits 0 when every transcript passes, 1 otherwise.`;

export const testFlowsCommand: Command = {
  usage,
  async run(args, ctx) {
    const options = { ...helpOption, ...jsonOption, ...configOptions, 'require-all': { type: 'boolean' } } as const;
    const { values, positionals, help } = parseCommand(args, options, usage, { max: 100 });
    if (help) {
      ctx.out.help(usage);
      return 0;
    }
    const settings = loadConfig({
      configDir: values.config,
      flowsDir: values.flows,
      adapters: ctx.adapters,
      env: ctx.env,
    });
    const targets = positionals.length > 0 ? positionals : ['test/flows'];
    const files = targets.flatMap((t) => {
      const found = findTranscripts(t);
      if (found.length === 0) throw new UsageError(`no transcripts found at ${t}`, usage);
      return found;
    });
    const line = (r: TranscriptResult) => {
      ctx.out.info(`${r.passed ? '✓' : '✗'} ${r.name} (${r.file})`);
      for (const f of r.failures) ctx.out.info(`    ${f.replace(/\n/g, '\n    ')}`);
    };
    const report = await runTranscriptFiles(settings, files, ctx.env, line);
    const failed = report.results.filter((r) => !r.passed).length;
    const requireAll = values['require-all'] === true;
    const ok = failed === 0 && report.problems.length === 0 && (!requireAll || report.untested.length === 0);
    ctx.out.result({ ok, ...report }, () => [
      ...report.problems.map((p) => `✗ ${formatProblem(p)}`),
      ...(report.untested.length > 0
        ? [`${requireAll ? '✗' : '!'} flows no transcript runs: ${report.untested.join(', ')}`]
        : []),
      '',
      `${report.results.length - failed} passed, ${failed} failed${report.problems.length ? `, ${report.problems.length} invalid transcript problems` : ''}.`,
    ]);
    return ok ? 0 : 1;
  },
};

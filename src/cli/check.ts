import { ConfigError, formatProblem } from '../errors.ts';
import { describeMissing, missingLanguageVariants } from '../flow-language/language-coverage.ts';
import type { Settings } from '../settings/types.ts';
import { helpOption, jsonOption, parseCommand } from './args.ts';
import { type Command, configOptions } from './context.ts';
import { loadConfig } from './load-config.ts';

const usage = `Usage: touchpoint check [--config DIR] [--flows DIR] [--json]

Validates config/*.yaml and flows/*.yaml without starting anything. Prints
every problem as file:line:col (setting): message. Fix: …
Exits 0 when everything is valid, 1 when there are problems.

Options:
  --config DIR   settings folder (default: config)
  --flows DIR    flows folder (default: flows)
  --json         print the result as JSON`;

export const checkCommand: Command = {
  usage,
  async run(args, ctx) {
    const { values, help } = parseCommand(args, { ...helpOption, ...jsonOption, ...configOptions }, usage);
    if (help) {
      ctx.out.help(usage);
      return 0;
    }
    let settings: Settings;
    try {
      settings = loadConfig({
        configDir: values.config,
        flowsDir: values.flows,
        adapters: ctx.adapters,
        env: ctx.env,
      });
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      const n = err.problems.length;
      ctx.out.result({ ok: false, problems: err.problems }, () => [
        ...err.problems.map(formatProblem),
        '',
        `${n} problem${n === 1 ? '' : 's'} found.`,
      ]);
      return 1;
    }
    const summary = summarise(settings);
    const warnings = settings.warnings ?? [];
    const missingLanguages = missingLanguageVariants(settings);
    ctx.out.result({ ok: true, ...summary, warnings, missingLanguages }, () => {
      const enabled = summary.channels.filter((c) => c.enabled).map((c) => c.name);
      return [
        `OK: ${settings.business.name}`,
        `  channels:  ${summary.channels.length} (enabled: ${enabled.join(', ') || 'none'})`,
        `  templates: ${summary.templates}`,
        `  intents:   ${summary.intents}`,
        `  flows:     ${summary.flows.length} (${summary.flows.join(', ')})`,
        ...warnings.map((w) => `warning: ${formatProblem(w)}`),
        ...(missingLanguages.length > 0
          ? [
              `Templates without a variant in a language the others speak (customers writing it get ${settings.business.language}), by flow:`,
              ...describeMissing(missingLanguages),
            ]
          : []),
      ];
    });
    return 0;
  },
};

function summarise(s: Settings) {
  return {
    business: s.business.name,
    channels: Object.entries(s.channels).map(([name, c]) => ({ name, enabled: c.enabled })),
    templates: Object.keys(s.templates).length,
    intents: Object.keys(s.intents).length,
    flows: s.flows.map((f) => f.id),
  };
}

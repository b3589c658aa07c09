import { loadCalendar } from '../calendar/load.ts';
import { ConfigError, type ConfigProblem } from '../errors.ts';
import type { LoadedFlow } from './flow-files.ts';
import type { BusinessSettings, IntentDef, TemplateDef } from './schema.ts';
import { withSuggestion } from './suggest.ts';
import type { YamlFile } from './yaml-file.ts';
import { formatPath, locate } from './yaml-source.ts';

/** A validated file; `value` is null when the file itself has problems (then checks that need it are skipped). */
export interface Checked<T> {
  yaml: YamlFile;
  value: T | null;
}

export interface CrossCheckInput {
  configDir: string;
  business: Checked<BusinessSettings>;
  templates: Checked<{ templates: Record<string, TemplateDef> }>;
  intents: Checked<{ intents: Record<string, IntentDef> }>;
  flows: LoadedFlow[];
}

/** What no single schema can see: references between files, and values that must make sense together. */
export function crossCheck(input: CrossCheckInput): ConfigProblem[] {
  return [
    ...checkFlowReferences(input),
    ...checkFlowTriggers(input.flows),
    ...checkIntentPatterns(input.intents),
    ...checkCalendar(input.business, input.configDir),
  ];
}

function problemAt(yaml: YamlFile, path: PropertyKey[], message: string, fix: string): ConfigProblem {
  const pos = yaml.source ? locate(yaml.source, path) : { line: null, column: null };
  return { file: yaml.file, ...pos, path: formatPath(path), message, fix };
}

function nameList(names: string[]): string {
  if (names.length === 0) return '(none defined yet)';
  return names.length > 12 ? `${names.slice(0, 12).join(', ')} …` : names.join(', ');
}

function checkFlowReferences({ templates, intents, flows }: CrossCheckInput): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const templateIds = templates.value ? Object.keys(templates.value.templates) : null;
  const intentIds = intents.value ? Object.keys(intents.value.intents) : null;
  for (const { flow, yaml } of flows) {
    flow.steps.forEach((step, i) => {
      if (!('say' in step) || !templateIds || templateIds.includes(step.say)) return;
      problems.push(
        problemAt(
          yaml,
          ['steps', i, 'say'],
          `template \`${step.say}\` does not exist in ${templates.yaml.file}`,
          withSuggestion(
            step.say,
            templateIds,
            `add it to ${templates.yaml.file} or use one of ${nameList(templateIds)}`,
          ),
        ),
      );
    });
    flow.trigger.intents.forEach((intent, i) => {
      if (!intentIds || intentIds.includes(intent)) return;
      problems.push(
        problemAt(
          yaml,
          ['trigger', 'intents', i],
          `intent \`${intent}\` does not exist in ${intents.yaml.file}`,
          withSuggestion(intent, intentIds, `add it to ${intents.yaml.file} or use one of ${nameList(intentIds)}`),
        ),
      );
    });
  }
  return problems;
}

function checkFlowTriggers(flows: LoadedFlow[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  let fallback: LoadedFlow | null = null;
  for (const loaded of flows) {
    const t = loaded.flow.trigger;
    if (t.fallback) {
      if (fallback) {
        problems.push(
          problemAt(
            loaded.yaml,
            ['trigger', 'fallback'],
            `flow \`${fallback.flow.id}\` (${fallback.yaml.file}) is already the fallback`,
            'keep `fallback: true` on one flow only',
          ),
        );
      } else fallback = loaded;
    }
    if (!t.fallback && !t.firstMessage && t.intents.length === 0 && t.keywords.length === 0) {
      problems.push(
        problemAt(
          loaded.yaml,
          ['trigger'],
          'this flow never starts: its trigger has no intents, keywords, firstMessage or fallback',
          'add `intents: [..]` or `keywords: [..]`, or set `firstMessage: true` or `fallback: true`',
        ),
      );
    }
  }
  return problems;
}

function checkIntentPatterns({ yaml, value }: CrossCheckInput['intents']): ConfigProblem[] {
  if (!value) return [];
  const problems: ConfigProblem[] = [];
  for (const [name, def] of Object.entries(value.intents)) {
    def.patterns.forEach((pattern, i) => {
      try {
        new RegExp(pattern, 'iu');
      } catch (err) {
        problems.push(
          problemAt(
            yaml,
            ['intents', name, 'patterns', i],
            `not a valid regular expression: ${(err as Error).message}`,
            'escape special characters such as ( ) [ ] ? * + with a backslash, or use `keywords` instead',
          ),
        );
      }
    });
  }
  return problems;
}

/** Builds the business calendar once, as start-up will: this reads the holiday .ics file, if one is named. */
function checkCalendar({ yaml, value }: Checked<BusinessSettings>, configDir: string): ConfigProblem[] {
  if (!value) return [];
  try {
    loadCalendar(value, configDir);
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.problems.map((p) =>
      p.line === null && p.file === yaml.file && yaml.source && p.path && /^\w+$/.test(p.path)
        ? { ...p, ...locate(yaml.source, [p.path]) }
        : p,
    );
  }
}

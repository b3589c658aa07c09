import type { ConfigProblem } from '../errors.ts';
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
    ...checkBusiness(input.business),
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

function checkBusiness({ yaml, value }: Checked<BusinessSettings>): ConfigProblem[] {
  if (!value) return [];
  const problems: ConfigProblem[] = [];
  try {
    new Intl.DateTimeFormat('en', { timeZone: value.timezone });
  } catch {
    problems.push(
      problemAt(
        yaml,
        ['timezone'],
        `\`${value.timezone}\` is not a known timezone`,
        'use an IANA name such as Europe/London or America/New_York',
      ),
    );
  }
  value.holidays.forEach((day, i) => {
    const date = new Date(`${day}T00:00:00Z`);
    if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== day) {
      problems.push(problemAt(yaml, ['holidays', i], `${day} is not a real date`, 'use a date such as 2026-12-25'));
    }
  });
  for (const [day, slots] of Object.entries(value.hours)) {
    (slots ?? []).forEach((slot, i) => {
      const [from, to] = slot.split('-');
      if (from !== undefined && to !== undefined && from >= to) {
        problems.push(
          problemAt(
            yaml,
            ['hours', day, i],
            `the slot ${slot} ends before it starts`,
            'write the opening time first, e.g. 09:00-17:30; split a slot that passes midnight over two days',
          ),
        );
      }
    });
  }
  return problems;
}

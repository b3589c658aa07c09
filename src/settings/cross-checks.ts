import { loadCalendar } from '../calendar/load.ts';
import { ConfigError, type ConfigProblem } from '../errors.ts';
import { PATTERN_HINT, patternProblem } from '../text/pattern.ts';
import type { LoadedFlow } from './flow-files.ts';
import type { FlowDef } from './flow-schema.ts';
import type { BusinessSettings, IntentDef, TemplateDef } from './schema.ts';
import type { YamlFile } from './yaml-file.ts';
import { formatPath, locate } from './yaml-source.ts';

/** A validated file; `value` is null when the file itself has problems (then checks that need it are skipped). */
export interface Checked<T> {
  yaml: YamlFile;
  value: T | null;
}

/** What the flow checks need to know of the other files. */
export interface FlowRefs {
  /** Template ids, or null when templates.yaml itself is broken (those checks are skipped). */
  templates: string[] | null;
  /** Every text of each template (variants and subjects), for the variables they fill in. */
  templateTexts: Record<string, string[]> | null;
  templatesFile: string;
  intents: string[] | null;
  /** What makes each intent (keywords and patterns), to see keywords of flows that read as an intent. */
  intentRules: Record<string, { keywords: string[]; patterns: string[] }> | null;
  intentsFile: string;
}

/** A problem in flow number `flow`, at `path` inside it. */
export interface FlowProblem {
  flow: number;
  path: PropertyKey[];
  message: string;
  fix: string;
}

/** The flow language's own checks (src/flow-language/flow-checks.ts), given to the loader by its caller. */
export type FlowChecker = (flows: FlowDef[], refs: FlowRefs) => FlowProblem[];

export interface CrossCheckInput {
  configDir: string;
  checkFlows: FlowChecker;
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

/** Flow references and reachability, checked by the engine that knows the flow format. */
function checkFlowReferences({ templates, intents, flows, checkFlows }: CrossCheckInput): ConfigProblem[] {
  const problems = checkFlows(
    flows.map((f) => f.flow),
    {
      templates: templates.value ? Object.keys(templates.value.templates) : null,
      templateTexts: templates.value ? templateTexts(templates.value.templates) : null,
      templatesFile: templates.yaml.file,
      intents: intents.value ? Object.keys(intents.value.intents) : null,
      intentRules: intents.value ? intents.value.intents : null,
      intentsFile: intents.yaml.file,
    },
  );
  return problems.flatMap((p) => {
    const loaded = flows[p.flow];
    return loaded ? [problemAt(loaded.yaml, p.path, p.message, p.fix)] : [];
  });
}

function templateTexts(templates: Record<string, TemplateDef>): Record<string, string[]> {
  const texts = (v: string | { text: string; subject?: string | undefined }): string[] =>
    typeof v === 'string' ? [v] : [v.text, ...(v.subject ? [v.subject] : [])];
  return Object.fromEntries(
    Object.entries(templates).map(([id, def]) => [
      id,
      typeof def === 'string'
        ? [def]
        : [
            def.text,
            ...Object.values(def.channels ?? {}).flatMap(texts),
            ...Object.values(def.languages ?? {}).flatMap((v) => [
              ...texts(v),
              ...(typeof v === 'string' ? [] : Object.values(v.channels ?? {}).flatMap(texts)),
            ]),
          ],
    ]),
  );
}

function checkFlowTriggers(flows: LoadedFlow[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  let fallback: LoadedFlow | null = null;
  for (const loaded of flows) {
    if (!loaded.flow.trigger.fallback) continue;
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
  return problems;
}

function checkIntentPatterns({ yaml, value }: CrossCheckInput['intents']): ConfigProblem[] {
  if (!value) return [];
  const problems: ConfigProblem[] = [];
  for (const [name, def] of Object.entries(value.intents)) {
    def.patterns.forEach((pattern, i) => {
      const problem = patternProblem(pattern);
      if (problem === null) return;
      problems.push(
        problemAt(
          yaml,
          ['intents', name, 'patterns', i],
          `not a valid regular expression: ${problem}`,
          `${PATTERN_HINT}; or use \`keywords\` instead`,
        ),
      );
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

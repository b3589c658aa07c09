import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import type { ConfigProblem } from '../errors.ts';
import { PATTERN_HINT, patternProblem } from '../text/pattern.ts';
import type { Env } from './env-refs.ts';
import { readArticles } from './knowledge-articles.ts';
import { identityKindFor, noPolicies, type PolicySettings, policyFiles } from './policy-schema.ts';
import type { TemplateDef } from './schema.ts';
import { withSuggestion } from './suggest.ts';
import { readYamlFile, validateYaml, type YamlFile } from './yaml-file.ts';
import { formatPath, locate } from './yaml-source.ts';

type FileName = keyof typeof policyFiles;
type Section = keyof PolicySettings;

const SECTION: Record<FileName, Section> = {
  'triage.yaml': 'triage',
  'knowledge.yaml': 'knowledge',
  'handoff.yaml': 'handoff',
  'sla.yaml': 'sla',
  'oncall.yaml': 'oncall',
  'targets.yaml': 'targets',
  'trends.yaml': 'trends',
  'desk.yaml': 'desk',
  'crisis.yaml': 'crisis',
  'reviews.yaml': 'reviews',
};

interface Loaded {
  configDir: string;
  settings: PolicySettings;
  files: Partial<Record<Section, YamlFile>>;
}

/**
 * Reads and validates the policy files of `configDir`, then checks what no
 * single schema sees: templates, people and regular expressions they name.
 * Every problem is returned, with file and line, for the loader to report with the rest.
 */
export function readPolicies(opts: { configDir: string; env: Env; templates: Record<string, TemplateDef> }): {
  policies: PolicySettings;
  problems: ConfigProblem[];
} {
  const problems: ConfigProblem[] = [];
  const loaded = readPolicyFiles(opts.configDir, opts.env, problems);
  if (problems.length === 0) problems.push(...crossCheckPolicies(loaded, opts.templates));
  return { policies: loaded.settings, problems };
}

function readPolicyFiles(configDir: string, env: Env, problems: ConfigProblem[]): Loaded {
  const settings = noPolicies();
  const files: Loaded['files'] = {};
  for (const name of Object.keys(policyFiles) as FileName[]) {
    const file = join(configDir, name);
    if (!existsSync(file)) continue;
    const read = readYamlFile(file, env);
    problems.push(...read.problems, ...read.yaml.envProblems.map((p) => p.problem));
    const section = SECTION[name];
    files[section] = read.yaml;
    const result = validateYaml(read.yaml, policyFiles[name] as z.ZodType<unknown>, {
      data: read.yaml.data ?? {},
    });
    problems.push(...result.problems);
    if (result.value) (settings as unknown as Record<Section, unknown>)[section] = result.value;
  }
  const articles = readArticles(join(configDir, settings.knowledge.articles), settings.knowledge.baseUrl);
  problems.push(...articles.problems);
  settings.articles = articles.articles;
  return { configDir, settings, files };
}

class Problems {
  readonly list: ConfigProblem[] = [];
  readonly #loaded: Loaded;
  constructor(loaded: Loaded) {
    this.#loaded = loaded;
  }
  add(section: Section, path: PropertyKey[], message: string, fix: string): void {
    const yaml = this.#loaded.files[section];
    const pos = yaml?.source ? locate(yaml.source, path) : { line: null, column: null };
    const file = yaml?.file ?? join(this.#loaded.configDir, `${section}.yaml`);
    this.list.push({ file, ...pos, path: formatPath(path), message, fix });
  }
}

function crossCheckPolicies(loaded: Loaded, templates: Record<string, TemplateDef>): ConfigProblem[] {
  const { settings: s } = loaded;
  const p = new Problems(loaded);
  const templateIds = Object.keys(templates);
  const template = (section: Section, path: PropertyKey[], id: string | undefined) => {
    if (id === undefined || templateIds.includes(id)) return;
    p.add(
      section,
      path,
      `template \`${id}\` does not exist in templates.yaml`,
      withSuggestion(id, templateIds, 'add it to templates.yaml'),
    );
  };
  const regex = (section: Section, path: PropertyKey[], pattern: string) => {
    const problem = patternProblem(pattern);
    if (problem !== null) p.add(section, path, `not a valid regular expression: ${problem}`, PATTERN_HINT);
  };

  const ah = s.triage.afterHours;
  if (ah) {
    template('triage', ['afterHours', 'acknowledge'], ah.acknowledge);
    template('triage', ['afterHours', 'acknowledgeUrgent'], ah.acknowledgeUrgent);
  }
  for (const [i, re] of (s.triage.urgency?.patterns ?? []).entries()) regex('triage', ['urgency', 'patterns', i], re);
  for (const [id, a] of Object.entries(s.knowledge.answers))
    for (const [i, re] of a.patterns.entries()) regex('knowledge', ['answers', id, 'patterns', i], re);
  for (const [i, re] of s.handoff.asksForPersonalData.patterns.entries())
    regex('handoff', ['asksForPersonalData', 'patterns', i], re);
  for (const [name, re] of Object.entries(s.handoff.guard.patterns)) regex('handoff', ['guard', 'patterns', name], re);
  s.handoff.rules.forEach((rule, i) => {
    template('handoff', ['rules', i, 'reply'], rule.reply);
    template('handoff', ['rules', i, 'invite'], rule.invite);
    template('handoff', ['rules', i, 'privateMessage'], rule.privateMessage);
  });

  template('desk', ['acknowledge', 'template'], s.desk.acknowledge?.template);
  checkPeople(s, p, loaded.files.oncall !== undefined);
  return p.list;
}

function checkPeople(s: PolicySettings, p: Problems, hasOncallFile: boolean): void {
  const people = Object.keys(s.oncall.people);
  const rotation = s.oncall.rotation;
  const ref = (section: Section, path: PropertyKey[], who: string) => {
    if (who === 'oncall' || who === 'next') {
      if (!rotation)
        p.add(
          section,
          path,
          `\`${who}\` needs a rotation in oncall.yaml`,
          'add `rotation:` to oncall.yaml or name a person',
        );
      return;
    }
    if (!people.includes(who)) {
      p.add(
        section,
        path,
        `no person \`${who}\` in oncall.yaml`,
        withSuggestion(who, people, 'add them under `people:` in oncall.yaml'),
      );
    }
  };
  for (const [id, person] of Object.entries(s.oncall.people)) {
    if (!identityKindFor(person)) {
      p.add(
        'oncall',
        ['people', id, 'channel'],
        `cannot tell what kind of address \`${person.to}\` is on ${person.channel}`,
        'add `kind:` (phone, email, slack …)',
      );
    }
  }
  rotation?.order.forEach((who, i) => {
    if (!people.includes(who))
      p.add(
        'oncall',
        ['rotation', 'order', i],
        `no person \`${who}\` in oncall.yaml`,
        withSuggestion(who, people, 'add them under `people:`'),
      );
  });
  // the default chain (oncall, next) is only judged once someone writes oncall.yaml
  if (hasOncallFile) for (const [i, who] of s.oncall.chain.entries()) ref('oncall', ['chain', i], who);
  for (const [i, who] of s.oncall.vip.entries()) ref('oncall', ['vip', i], who);
  for (const [i, who] of s.crisis.chain.entries()) ref('crisis', ['chain', i], who);
  for (const [i, who] of s.sla.warning.notify.entries()) ref('sla', ['warning', 'notify', i], who);
  s.sla.escalation.forEach((step, i) => {
    for (const [j, who] of step.to.entries()) ref('sla', ['escalation', i, 'to', j], who);
    if (step.action === 'reassign' && step.to.length !== 1) {
      p.add('sla', ['escalation', i, 'to'], 'reassign needs exactly one person', 'write `to: [person-id]`');
    }
    if (step.action === 'notify' && step.to.length === 0) {
      p.add('sla', ['escalation', i, 'to'], 'notify needs at least one person', 'write `to: [person-id, …]`');
    }
  });
  const pages = (s.triage.afterHours && s.triage.urgency?.page) || s.sla.escalation.some((e) => e.action === 'page');
  if (pages && s.oncall.chain.length === 0) {
    p.add(
      'oncall',
      ['chain'],
      'urgent messages or SLA escalations page on-call, but the chain is empty',
      'list who is paged, e.g. `chain: [oncall, next]`',
    );
  }
  if (pages && people.length === 0) {
    p.add(
      'oncall',
      ['people'],
      'urgent messages or SLA escalations page on-call, but oncall.yaml names nobody',
      'add `people:` and a `rotation:` to oncall.yaml, or turn paging off',
    );
  }
}

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { flowFile } from '../settings/flow-schema.ts';
import { transcriptFile } from '../testkit/transcript-schema.ts';
import { helpOption, parseCommand } from './args.ts';
import type { Command } from './context.ts';

/**
 * docs/flow-reference.md, written from the same zod schemas `check` and
 * `test-flows` validate with: every key of a flow file and of a transcript,
 * its type, default and description. `touchpoint reference --write` keeps it
 * current; a test fails when the committed file is not.
 */

type Json = Record<string, unknown>;

const OPTIONS = { target: 'draft-07', io: 'input', unrepresentable: 'any', reused: 'inline' } as const;
const toJson = (schema: z.core.$ZodType): Json => z.toJSONSchema(schema, OPTIONS) as Json;

/** Names for the shared, recursive parts (conditions and nested steps). */
function refNames(root: Json): Map<string, string> {
  const names = new Map<string, string>();
  for (const [key, def] of Object.entries((root.definitions ?? {}) as Record<string, Json>)) {
    const text = JSON.stringify(def);
    names.set(`#/definitions/${key}`, text.includes('"say"') ? 'a step (see Steps)' : 'a condition (see Conditions)');
  }
  return names;
}

function typeOf(s: Json, refs: Map<string, string>): string {
  if (typeof s.$ref === 'string') return refs.get(s.$ref) ?? 'see above';
  if (Array.isArray(s.enum)) return `one of ${s.enum.map((v) => `\`${String(v)}\``).join(', ')}`;
  if (s.const !== undefined) return `\`${String(s.const)}\``;
  const options = (s.anyOf ?? s.oneOf) as Json[] | undefined;
  if (options) return `either ${options.map((o) => typeOf(o, refs)).join(' or ')}`;
  if (s.type === 'array') return `a list of ${typeOf((s.items ?? {}) as Json, refs)}`;
  if (s.type === 'object' && s.properties) return 'a mapping (below)';
  if (s.type === 'object') {
    const values = s.additionalProperties;
    return values && typeof values === 'object' ? `a mapping of names to ${typeOf(values as Json, refs)}` : 'a mapping';
  }
  if (Array.isArray(s.type)) return s.type.join(' or ');
  if (typeof s.type === 'string') return s.pattern ? `${s.type} (${s.description ?? s.pattern})` : s.type;
  return 'any value';
}

const cell = (text: unknown): string =>
  String(text ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\n/g, ' ');

function table(s: Json, refs: Map<string, string>): string[] {
  const props = (s.properties ?? {}) as Record<string, Json>;
  const required = new Set((s.required ?? []) as string[]);
  const rows = Object.entries(props).map(([key, p]) => {
    const def = p.default !== undefined ? ` (default: \`${JSON.stringify(p.default)}\`)` : '';
    const need = required.has(key) && p.default === undefined ? ' **required**' : '';
    return `| \`${key}\`${need} | ${cell(typeOf(p, refs))}${def} | ${cell(p.description)} |`;
  });
  return ['| key | value | what it does |', '| --- | --- | --- |', ...rows];
}

/** A section per object with keys, nested ones after their parent, titled by their path. */
function sections(s: Json, title: string, refs: Map<string, string>, out: string[], depth = 0): void {
  if (depth > 6) return;
  if (s.type === 'object' && s.properties) {
    out.push(`### ${title}`, '', ...(s.description ? [String(s.description), ''] : []), ...table(s, refs), '');
    for (const [key, p] of Object.entries(s.properties as Record<string, Json>))
      nested(p, `${title} › ${key}`, refs, out, depth);
  }
}

function nested(p: Json, title: string, refs: Map<string, string>, out: string[], depth: number): void {
  const options = (p.anyOf ?? p.oneOf) as Json[] | undefined;
  if (options) {
    for (const [i, o] of options.entries())
      nested(o, options.length > 1 ? `${title} (form ${i + 1})` : title, refs, out, depth + 1);
  } else if (p.type === 'array' && p.items) nested(p.items as Json, title, refs, out, depth + 1);
  else sections(p, title, refs, out, depth + 1);
}

function stepSections(root: Json, refs: Map<string, string>, out: string[]): void {
  let steps = ((root.properties as Json).steps as Json).items as Json;
  if (typeof steps.$ref === 'string')
    steps = ((root.definitions ?? {}) as Record<string, Json>)[steps.$ref.split('/').pop() as string] ?? steps;
  if (steps.type === 'array') steps = steps.items as Json;
  for (const option of (steps.anyOf ?? []) as Json[]) {
    const props = (option.properties ?? {}) as Record<string, Json>;
    const key = Object.keys(props).find((k) => k !== 'id');
    if (!key) continue;
    const body = props[key] as Json;
    out.push(`### Step \`${key}\``, '');
    if (body.type === 'object' && body.properties) {
      out.push(...(body.description ? [String(body.description), ''] : []), ...table(body, refs), '');
      for (const [k, p] of Object.entries(body.properties as Record<string, Json>))
        nested(p, `${key} › ${k}`, refs, out, 1);
    } else if (key === 'if') {
      out.push(
        '`if:` a condition (see Conditions), `then:` the steps when it holds, `else:` the steps when it does not.',
        '',
      );
    } else {
      out.push(`\`${key}:\` ${cell(typeOf(body, refs))}. ${cell(body.description)}`, '');
      nested(body, key, refs, out, 1);
    }
  }
}

function conditionSection(root: Json, refs: Map<string, string>, out: string[]): void {
  for (const def of Object.values((root.definitions ?? {}) as Record<string, Json>)) {
    if (JSON.stringify(def).includes('"say"')) continue;
    out.push('### Conditions', '', 'Every key given must hold; `all`, `any` and `not` combine conditions.', '');
    out.push(...table(def, refs), '');
    const vars = ((def.properties as Json).vars as Json).additionalProperties as Json;
    const test = ((vars.anyOf ?? []) as Json[]).find((o) => o.type === 'object');
    if (test) out.push('### Conditions › a value test', '', ...table(test, refs), '');
  }
}

export function renderReference(): string {
  const flow = toJson(flowFile);
  const flowRefs = refNames(flow);
  const transcript = toJson(transcriptFile);
  const out: string[] = [
    '# Flow language and transcript reference',
    '',
    '<!-- Generated by `touchpoint reference --write` from the schemas `touchpoint check` and',
    '`touchpoint test-flows` use. Do not edit by hand: change the schema and run it again. -->',
    '',
    'A flow is a YAML file in `flows/`; a transcript is a YAML file in `test/flows/` that',
    '`touchpoint test-flows` plays against the flows. The tutorial',
    '[Building the birthday-cake flow](tutorial-birthday-cake.md) uses most of what is here.',
    '',
    '## Flows (`flows/*.yaml`)',
    '',
  ];
  sections(flow, 'A flow file', flowRefs, out);
  out.push(
    '## Steps',
    '',
    'Each step is a mapping with one key naming what it does, and an optional `id` for `goto`.',
    '',
  );
  stepSections(flow, flowRefs, out);
  conditionSection(flow, flowRefs, out);
  out.push(
    '## Variables',
    '',
    '`{name}` in a template or a text is filled in; `{name|default}` shows the default when it is unset,',
    'and `[[ … ]]` keeps a phrase only when its variables are set. `touchpoint check` refuses a variable',
    'that no step before it sets on every path. Always there: `name`, `firstName`, `business`, `channel`,',
    '`greeting`, `signOff`, `week_hours`, `opening`, `today`, `now`, and `contact.*` (contact attributes).',
    'A flow started by a message has `message` and `intent`; one started by a business event has `event.*`',
    '(its data). A date answer `date` also sets `date.date` (readable), `date.daysAway`,',
    '`date.businessDaysAway` (opening days from today until then) and `date.open` (the business opens that day).',
    'A lookup saved as `order` sets `order.*` and `order.result`; `verify` sets `verified`, `verify.result`',
    'and `verify.channel`; `csat` sets `csat`.',
    '',
    '## Transcripts (`test/flows/*.yaml`)',
    '',
  );
  sections(transcript, 'A transcript file', refNames(transcript), out);
  return `${out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}

const usage = `Usage: touchpoint reference [--write FILE]

Prints the reference of the flow language and the transcript format, generated
from the schemas \`check\` and \`test-flows\` use; with --write, writes it to FILE
(the committed copy is docs/flow-reference.md: npm run reference).

Options:
  --write FILE   write the reference to FILE instead of printing it`;

export const referenceCommand: Command = {
  usage,
  async run(args, ctx) {
    const { values, help } = parseCommand(args, { ...helpOption, write: { type: 'string' } }, usage);
    if (help) {
      ctx.out.help(usage);
      return 0;
    }
    const text = renderReference();
    if (!values.write) {
      ctx.out.help(text.trimEnd());
      return 0;
    }
    mkdirSync(dirname(values.write), { recursive: true });
    writeFileSync(values.write, text);
    ctx.out.info(`wrote the flow language reference to ${values.write}`);
    return 0;
  },
};

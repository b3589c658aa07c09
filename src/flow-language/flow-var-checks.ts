import type { Expected } from '../settings/condition-schema.ts';
import type { FlowProblem } from '../settings/cross-checks.ts';
import type { FlowDef } from '../settings/flow-schema.ts';
import { withSuggestion } from '../settings/suggest.ts';
import {
  allDefines,
  BUILT_IN_PREFIXES,
  BUILT_INS,
  definesOf,
  lookUp,
  type Scope,
  scopesOf,
  type VarDef,
} from './flow-scope.ts';
import { conditionVars, filledTextsOf, templatesOf } from './step-refs.ts';

/**
 * `check` knows the variables: every `{name}` a step's templates and texts
 * fill in, and every variable a condition reads, must be set by a step
 * before it on the way there (or be a built-in, a contact field, event data
 * or a lookup's answer). Dates are not compared with numbers, nor numbers
 * with dates.
 */

interface Placeholder {
  name: string;
  /** `{name|fallback}` or inside `[[ … ]]`: an unset value is handled. */
  guarded: boolean;
}

const VARIABLE = /\{([a-zA-Z_][\w.]*)(\|[^}]*)?\}/g;
const OPTIONAL = /\[\[([^[\]]*)\]\]/g;

export function placeholders(text: string): Placeholder[] {
  const optional = new Set<string>();
  for (const m of text.matchAll(OPTIONAL))
    for (const v of (m[1] as string).matchAll(VARIABLE)) optional.add(v[1] as string);
  return [...text.matchAll(VARIABLE)].map((m) => ({
    name: m[1] as string,
    guarded: m[2] !== undefined || optional.has(m[1] as string),
  }));
}

/** What each flow receives from the flows that start it (`start:` or `after:`), as far as `check` can know. */
function inheritedVars(flows: FlowDef[]): Map<string, VarDef[]> {
  const starters = new Map<string, Set<string>>();
  const link = (from: string, to: string) => starters.set(to, (starters.get(to) ?? new Set()).add(from));
  for (const flow of flows) {
    for (const after of flow.trigger.after) link(after, flow.id);
    for (const def of allDefinesWithStarts(flow)) if (def.start) link(flow.id, def.start);
  }
  const own = new Map(flows.map((f) => [f.id, [...entryOf(f), ...allDefines(f)]]));
  const inherited = new Map<string, VarDef[]>();
  // a chain of flows starting each other is at most as long as the list of flows
  for (let round = 0; round < flows.length; round++) {
    for (const flow of flows) {
      const from = [...(starters.get(flow.id) ?? [])];
      inherited.set(
        flow.id,
        from.flatMap((id) => [...(own.get(id) ?? []), ...(inherited.get(id) ?? [])]),
      );
    }
  }
  return inherited;
}

function allDefinesWithStarts(flow: FlowDef): Array<{ start?: string }> {
  const out: Array<{ start?: string }> = [];
  const visit = (steps: FlowDef['steps']) => {
    for (const step of steps) {
      if ('start' in step) out.push({ start: step.start });
      if ('if' in step) {
        visit(step.then);
        if (step.else) visit(step.else);
      }
    }
  };
  visit(flow.steps);
  return out;
}

/** What a flow starts with: a message's text and intent, or a business event's data. */
function entryOf(flow: FlowDef): VarDef[] {
  const t = flow.trigger;
  const byMessage = t.intents.length + t.keywords.length > 0 || t.firstMessage || t.fallback;
  return [
    ...(byMessage
      ? [
          { name: 'message', type: 'text' as const },
          { name: 'intent', type: 'text' as const },
        ]
      : []),
    ...(t.events.length > 0 ? [{ name: 'event', type: 'any' as const, prefix: true }] : []),
  ];
}

const isBuiltIn = (name: string): boolean =>
  BUILT_INS.includes(name) || BUILT_IN_PREFIXES.some((p) => name.startsWith(`${p}.`));

function typeProblem(def: VarDef, name: string, expected: Expected): { message: string; fix: string } | null {
  const numeric =
    typeof expected === 'number' ||
    (Array.isArray(expected) && expected.some((e) => typeof e === 'number')) ||
    (expected !== null &&
      typeof expected === 'object' &&
      !Array.isArray(expected) &&
      (expected.above !== undefined || expected.below !== undefined));
  const dated =
    expected !== null &&
    typeof expected === 'object' &&
    !Array.isArray(expected) &&
    (expected.within !== undefined || expected.before !== undefined || expected.after !== undefined);
  if ((def.type === 'date' || def.type === 'time') && numeric)
    return {
      message: `\`${name}\` is a ${def.type}, compared here with a number: this is never true`,
      fix: `compare the ${def.type} with a span or a day, e.g. \`${name}: { within: 3d }\` or \`${name}: { before: today + 3d }\`${def.type === 'date' ? `, or compare its distance: \`${name}.daysAway: { below: 3 }\` (or \`${name}.businessDaysAway\`)` : ''}`,
    };
  if (dated && def.type !== 'date' && def.type !== 'time' && def.type !== 'any' && def.type !== 'text')
    return {
      message: `\`${name}\` is a ${def.type}, not a date: \`within\`, \`before\` and \`after\` are never true for it`,
      fix: `use \`above\` or \`below\` for a number, or ask with \`expect: date\``,
    };
  return null;
}

export function checkFlowVars(flows: FlowDef[], templateTexts: Record<string, string[]> | null): FlowProblem[] {
  const problems: FlowProblem[] = [];
  const inherited = inheritedVars(flows);

  flows.forEach((flow, n) => {
    const from = inherited.get(flow.id) ?? [];
    const { instrs, before } = scopesOf(flow, [...entryOf(flow), ...from]);
    const everywhere = allDefines(flow);
    const add = (path: PropertyKey[], message: string, fix: string) => problems.push({ flow: n, path, message, fix });

    const use = (scope: Scope, p: Placeholder, path: PropertyKey[], what: string, extra: VarDef[] = []) => {
      if (isBuiltIn(p.name) || lookUp(new Map(extra.map((d) => [d.name, d])), p.name)) return;
      if (!lookUp(scope.may, p.name)) {
        if (lookUp(new Map(everywhere.map((d) => [d.name, d])), p.name)) {
          add(
            path,
            `${what} \`${p.name}\`, which no step on the way here sets (a later step or another branch sets it)`,
            `move the step that sets \`${p.name}\` before this one, or write {${p.name}|a default}`,
          );
          return;
        }
        const known = [...new Set([...scope.may.keys(), ...BUILT_INS, ...extra.map((d) => d.name)])];
        add(
          path,
          `${what} \`${p.name}\`, which no step of this flow sets and is not built in`,
          withSuggestion(
            p.name,
            known,
            `set it first (an \`ask\` with \`var: ${p.name}\`, or \`set: { vars: … }\`); known here: ${known.slice(0, 14).join(', ')}`,
          ),
        );
        return;
      }
      if (!p.guarded && !lookUp(scope.must, p.name))
        add(
          path,
          `${what} \`${p.name}\`, which is not set on every path to this step`,
          `set it on every path, or give a default: {${p.name}|…}`,
        );
    };

    instrs.forEach((instr, i) => {
      const scope = before[i];
      if (!scope) return; // never reached (after an `end`): nothing runs here
      if (instr.op === 'branch') {
        for (const v of conditionVars(instr.when, [...instr.path, 'if'])) {
          use(scope, { name: v.name, guarded: true }, v.path, 'this condition reads');
          const def = lookUp(scope.may, v.name);
          const wrong = def ? typeProblem(def, v.name, v.expected) : null;
          if (wrong) add(v.path, wrong.message, wrong.fix);
        }
        return;
      }
      if (instr.op !== 'step') return;
      const step = instr.step;
      // a survey's thanks may use {csat}, a code message {code} and {verify.channel}
      const own = 'verify' in step ? [...definesOf(step), { name: 'code', type: 'text' as const }] : [];
      const extra = 'csat' in step ? definesOf(step) : own;
      for (const [key, id] of templatesOf(step)) {
        if (id === undefined) continue;
        for (const text of templateTexts?.[id] ?? [])
          for (const p of placeholders(text)) use(scope, p, [...instr.path, ...key], `template \`${id}\` uses`, extra);
      }
      for (const [key, text] of filledTextsOf(step))
        for (const p of placeholders(text)) use(scope, p, [...instr.path, ...key], 'this text uses', extra);
    });
  });
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.flow}|${p.path.join('.')}|${p.message}`;
    return !seen.has(key) && Boolean(seen.add(key));
  });
}

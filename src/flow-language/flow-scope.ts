import type { FlowDef, FlowStep } from '../settings/flow-schema.ts';
import { DATE_FACTS } from './answer-facts.ts';
import { compileFlow, type Instr } from './flow-program.ts';

/**
 * Which variables are set where in a flow, path by path: `must` holds the
 * names every path to a step sets, `may` those some path sets. Names under a
 * prefix (`event.`, a lookup's `order.`) are open: any field may follow.
 */

export type VarType = 'text' | 'number' | 'date' | 'time' | 'boolean' | 'any';

export interface VarDef {
  name: string;
  type: VarType;
  /** `event`, or a lookup's `save`: every `name.…` is set too. */
  prefix?: boolean;
}

export interface Scope {
  must: Map<string, VarDef>;
  may: Map<string, VarDef>;
}

/** Always there: the contact, the business, the brand voice, the calendar and the clock. */
export const BUILT_INS = [
  'name',
  'firstName',
  'business',
  'channel',
  'greeting',
  'signOff',
  'week_hours',
  'opening',
  'today',
  'now',
];
export const BUILT_IN_PREFIXES = ['contact'];

const ANSWER_TYPE: Record<string, VarType> = { number: 'number', date: 'date', time: 'time' };

/** The variables a step sets. */
export function definesOf(step: FlowStep): VarDef[] {
  if ('ask' in step) {
    const name = step.ask.var;
    const own: VarDef = { name, type: ANSWER_TYPE[step.ask.expect] ?? 'text' };
    if (step.ask.expect !== 'date') return [own];
    return [own, ...DATE_FACTS.map(([suffix, type]) => ({ name: `${name}.${suffix}`, type }))];
  }
  if ('set' in step) return Object.keys(step.set.vars ?? {}).map((name) => ({ name, type: 'text' as const }));
  if ('lookup' in step)
    return [
      { name: step.lookup.save, type: 'any', prefix: true },
      { name: `${step.lookup.save}.result`, type: 'text' },
    ];
  if ('verify' in step)
    return [
      { name: 'verified', type: 'boolean' },
      { name: 'verify.result', type: 'text' },
      { name: 'verify.channel', type: 'text' },
    ];
  if ('csat' in step) return [{ name: 'csat', type: 'number' }];
  if ('knowledge' in step) return [{ name: 'knowledge', type: 'text' }];
  return [];
}

function successors(instrs: Instr[], i: number): number[] {
  const instr = instrs[i] as Instr;
  if (instr.op === 'jump') return instr.to >= 0 ? [instr.to] : [];
  if (instr.op === 'branch') return [i + 1, instr.otherwise];
  if (instr.kind === 'end' || instr.kind === 'start') return [];
  return [i + 1];
}

const withDefs = (scope: Map<string, VarDef>, defs: VarDef[]): Map<string, VarDef> => {
  const out = new Map(scope);
  for (const d of defs) out.set(d.name, d);
  return out;
};

/** The scope on entry to every instruction of the flow, given what the flow starts with. */
export function scopesOf(flow: FlowDef, entry: VarDef[]): { instrs: Instr[]; before: Array<Scope | null> } {
  const { instrs } = compileFlow(flow).program;
  const before: Array<Scope | null> = instrs.map(() => null);
  const start = new Map(entry.map((d) => [d.name, d]));
  const work: Array<[number, Scope]> = [[0, { must: start, may: new Map(start) }]];
  // every pass only shrinks `must` or grows `may`: this ends
  for (let guard = 0; work.length > 0 && guard < 100_000; guard++) {
    const [i, incoming] = work.pop() as [number, Scope];
    if (i >= instrs.length) continue;
    const seen = before[i];
    let merged: Scope;
    if (!seen) merged = incoming;
    else {
      const must = new Map([...seen.must].filter(([k]) => incoming.must.has(k)));
      const may = new Map([...seen.may, ...incoming.may]);
      if (must.size === seen.must.size && may.size === seen.may.size) continue;
      merged = { must, may };
    }
    before[i] = merged;
    const instr = instrs[i] as Instr;
    const defs = instr.op === 'step' ? definesOf(instr.step) : [];
    const out = { must: withDefs(merged.must, defs), may: withDefs(merged.may, defs) };
    for (const next of successors(instrs, i)) work.push([next, out]);
  }
  return { instrs, before };
}

/** Every variable a flow may set anywhere, for the flows it starts. */
export function allDefines(flow: FlowDef): VarDef[] {
  const { instrs } = compileFlow(flow).program;
  return instrs.flatMap((instr) => (instr.op === 'step' ? definesOf(instr.step) : []));
}

/** Looks a name up in a scope: itself, or under an open prefix. */
export function lookUp(scope: Map<string, VarDef>, name: string): VarDef | undefined {
  const own = scope.get(name);
  if (own) return own;
  for (const def of scope.values()) if (def.prefix && name.startsWith(`${def.name}.`)) return def;
  return undefined;
}

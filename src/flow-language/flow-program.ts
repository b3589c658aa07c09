import type { Condition } from '../settings/condition-schema.ts';
import type { FlowDef, FlowStep } from '../settings/flow-schema.ts';

/**
 * A flow compiled to a flat list of instructions: `if` becomes a branch and a
 * jump, `goto` a jump. A running flow remembers where it is by the step's
 * path (`2.then.0`), which stays valid when unrelated steps are edited.
 */

export type StepKind =
  | 'say'
  | 'ask'
  | 'wait'
  | 'if'
  | 'set'
  | 'handoff'
  | 'private'
  | 'verify'
  | 'csat'
  | 'lookup'
  | 'knowledge'
  | 'start'
  | 'goto'
  | 'end';

export type LeafStep = Exclude<FlowStep, { if: Condition } | { goto: string }>;

export type Instr =
  | { op: 'step'; at: string; path: PropertyKey[]; kind: StepKind; step: LeafStep }
  | { op: 'branch'; at: string; path: PropertyKey[]; when: Condition; otherwise: number }
  | { op: 'jump'; at: string; path: PropertyKey[]; to: number; label?: string };

export interface Program {
  flow: FlowDef;
  instrs: Instr[];
  /** Instruction index by step path. */
  index: Map<string, number>;
}

export interface ProgramProblem {
  path: PropertyKey[];
  message: string;
  fix: string;
}

const KINDS: StepKind[] = [
  'say',
  'ask',
  'wait',
  'if',
  'set',
  'handoff',
  'private',
  'verify',
  'csat',
  'lookup',
  'knowledge',
  'start',
  'goto',
  'end',
];

export function stepKind(step: FlowStep): StepKind {
  const kind = KINDS.find((k) => Object.hasOwn(step, k));
  if (!kind) throw new Error(`not a flow step: ${JSON.stringify(step)}`);
  return kind;
}

/** Calls `visit` for every step, nested ones included, with its path in the file (`['steps', 2, 'then', 0]`). */
export function walkSteps(
  steps: FlowStep[],
  visit: (step: FlowStep, path: PropertyKey[]) => void,
  base: PropertyKey[] = ['steps'],
): void {
  steps.forEach((step, i) => {
    const path = [...base, i];
    visit(step, path);
    if ('if' in step) {
      walkSteps(step.then, visit, [...path, 'then']);
      if (step.else) walkSteps(step.else, visit, [...path, 'else']);
    }
  });
}

export const pathKey = (path: PropertyKey[]): string => path.slice(1).map(String).join('.');

export function compileFlow(flow: FlowDef): { program: Program; problems: ProgramProblem[] } {
  const instrs: Instr[] = [];
  const labels = new Map<string, number>();
  const problems: ProgramProblem[] = [];

  function emit(steps: FlowStep[], base: PropertyKey[]): void {
    steps.forEach((step, i) => {
      const path = [...base, i];
      const at = pathKey(path);
      if (step.id !== undefined) {
        if (labels.has(step.id)) {
          problems.push({
            path: [...path, 'id'],
            message: `step id \`${step.id}\` is used twice in this flow`,
            fix: 'give every step its own id',
          });
        }
        labels.set(step.id, instrs.length);
      }
      if ('if' in step) {
        const branch: Instr = { op: 'branch', at, path, when: step.if, otherwise: -1 };
        instrs.push(branch);
        emit(step.then, [...path, 'then']);
        if (step.else) {
          const jump: Instr = { op: 'jump', at: `${at}.then-end`, path, to: -1 };
          instrs.push(jump);
          branch.otherwise = instrs.length;
          emit(step.else, [...path, 'else']);
          jump.to = instrs.length;
        } else branch.otherwise = instrs.length;
        return;
      }
      if ('goto' in step) {
        instrs.push({ op: 'jump', at, path, to: -1, label: step.goto });
        return;
      }
      instrs.push({ op: 'step', at, path, kind: stepKind(step), step });
    });
  }

  emit(flow.steps, ['steps']);
  for (const instr of instrs) {
    if (instr.op !== 'jump' || instr.label === undefined) continue;
    const to = labels.get(instr.label);
    if (to === undefined) {
      problems.push({
        path: [...instr.path, 'goto'],
        message: `no step in this flow has the id \`${instr.label}\``,
        fix: `add \`id: ${instr.label}\` to the step to jump to, or use one of ${[...labels.keys()].join(', ') || '(no step has an id yet)'}`,
      });
    } else instr.to = to;
  }
  const index = new Map<string, number>();
  instrs.forEach((instr, i) => {
    if (!index.has(instr.at)) index.set(instr.at, i);
  });
  return { program: { flow, instrs, index }, problems };
}

const compiled = new WeakMap<FlowDef, Program>();

/** The compiled flow (cached per loaded flow). Flows are checked at load, so a broken goto only ends the flow. */
export function programOf(flow: FlowDef): Program {
  let program = compiled.get(flow);
  if (!program) {
    program = compileFlow(flow).program;
    compiled.set(flow, program);
  }
  return program;
}

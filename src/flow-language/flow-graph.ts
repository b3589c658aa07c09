import type { Condition } from '../settings/condition-schema.ts';
import type { FlowDef } from '../settings/flow-schema.ts';
import { compileFlow, type Instr } from './flow-program.ts';

/**
 * A flow as a graph for people: one node per step (a diamond per `if`), the
 * trigger as the entry, and edges for what comes next. Rendered as Mermaid
 * text here and as SVG in flow-svg.ts.
 */

export type NodeShape = 'terminal' | 'step' | 'decision' | 'external';

export interface GraphNode {
  id: string;
  label: string;
  shape: NodeShape;
  /** Nesting depth (steps inside `then`/`else` are deeper), for layout. */
  depth: number;
}

export interface GraphEdge {
  from: string;
  to: string;
  label?: string;
  /** Not the normal path: a timeout, an exhausted retry. */
  dashed?: boolean;
}

export interface FlowGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

const list = (v: string | string[]): string => (Array.isArray(v) ? v.join(' or ') : v);

export function describeCondition(c: Condition): string {
  const parts: string[] = [];
  if (c.intent !== undefined) parts.push(`intent is ${list(c.intent)}`);
  if (c.touchpoint !== undefined) parts.push(`touchpoint is ${list(c.touchpoint)}`);
  if (c.channel !== undefined) parts.push(`channel is ${list(c.channel)}`);
  if (c.visibility !== undefined) parts.push(`${c.visibility} touchpoint`);
  if (c.open !== undefined) parts.push(c.open ? 'open now' : 'closed now');
  if (c.verified !== undefined) parts.push(c.verified ? 'identity verified' : 'not verified');
  if (c.vip !== undefined) parts.push(c.vip ? 'VIP' : 'not VIP');
  if (c.language !== undefined) parts.push(`language ${list(c.language)}`);
  for (const [scope, values] of [
    ['', c.vars],
    ['contact ', c.contact],
  ] as const) {
    for (const [name, e] of Object.entries(values ?? {})) {
      if (Array.isArray(e)) parts.push(`${scope}${name} is ${e.join(' or ')}`);
      else if (e !== null && typeof e === 'object') {
        if (e.exists !== undefined) parts.push(`${scope}${name} ${e.exists ? 'is set' : 'is not set'}`);
        if (e.matches !== undefined) parts.push(`${scope}${name} matches ${e.matches}`);
        if (e.above !== undefined) parts.push(`${scope}${name} > ${e.above}`);
        if (e.below !== undefined) parts.push(`${scope}${name} < ${e.below}`);
      } else parts.push(`${scope}${name} = ${String(e)}`);
    }
  }
  if (c.all) parts.push(`all of (${c.all.map(describeCondition).join('; ')})`);
  if (c.any) parts.push(`any of (${c.any.map(describeCondition).join('; ')})`);
  if (c.not) parts.push(`not (${describeCondition(c.not)})`);
  return parts.length > 0 ? parts.join(' and ') : 'always';
}

function describeTrigger(flow: FlowDef): string {
  const t = flow.trigger;
  const parts = [
    t.intents.length ? `intent ${t.intents.join(', ')}` : '',
    t.keywords.length ? `keywords ${t.keywords.join(', ')}` : '',
    t.events.length ? `event ${t.events.join(', ')}` : '',
    t.after.length ? `after ${t.after.join(', ')}` : '',
    t.firstMessage ? 'first message' : '',
    t.fallback ? 'nothing else matches' : '',
  ].filter(Boolean);
  const where = t.touchpoints.length ? ` on ${t.touchpoints.join(', ')}` : '';
  return `${flow.id}: ${parts.join(' | ') || 'started by another flow'}${where}`;
}

/** The words a customer reads for a template id (for owners' diagrams), or null to show the id. */
export type TemplateWords = (templateId: string) => string | null;

function describeStep(instr: Extract<Instr, { op: 'step' }>, words: TemplateWords): string {
  const s = instr.step;
  const said = (id: string) => {
    const w = words(id);
    return w ? `“${w}”` : id;
  };
  if ('say' in s) return `say ${said(s.say)}`;
  if ('ask' in s) {
    const choices = s.ask.choices?.map((c) => (typeof c === 'string' ? c : (c.label ?? c.value)));
    const what = choices ? choices.join(' / ') : s.ask.expect === 'yes_no' ? 'yes / no' : s.ask.expect;
    return `ask ${said(s.ask.template)} → ${s.ask.var} (${what})${s.ask.timeout ? `, wait ${s.ask.timeout}` : ''}`;
  }
  if ('wait' in s) {
    const w = s.wait;
    if (typeof w === 'string') return `wait ${w}`;
    const base =
      'for' in w
        ? `wait ${w.for}${w.business ? ' of business hours' : ''}`
        : `wait until ${w.until}${w.offset ? ` ${w.offset}` : ''}`;
    return `${base}${w.cancelOnReply ? ', a reply cancels' : ''}${w.cancelOnEvents.length ? `, ${w.cancelOnEvents.join('/')} cancels` : ''}`;
  }
  if ('set' in s) {
    const x = s.set;
    const parts = [
      x.category && `category ${x.category}`,
      x.priority && `priority ${x.priority}`,
      x.status && `status ${x.status}`,
      x.tags?.length && `tag ${x.tags.join(', ')}`,
      x.untag?.length && `untag ${x.untag.join(', ')}`,
      x.vars && `vars ${Object.keys(x.vars).join(', ')}`,
      x.contact && `contact ${Object.keys(x.contact).join(', ')}`,
    ].filter(Boolean);
    return `set ${parts.join(', ')}`;
  }
  if ('handoff' in s) return `hand off${s.handoff.team ? ` to ${s.handoff.team}` : ''}`;
  if ('private' in s) return 'move to private';
  if ('verify' in s) return s.verify.to ? `verify ${s.verify.to}` : `verify identity via ${s.verify.via.join(' / ')}`;
  if ('csat' in s) return 'satisfaction survey 1-5';
  if ('knowledge' in s) return `offer knowledge answers to ${s.knowledge.question}, ask if they helped`;
  if ('lookup' in s)
    return `look up ${s.lookup.method} ${s.lookup.url.replace(/^https?:\/\/[^/]+/, '')} → ${s.lookup.save}`;
  if ('start' in s) return `continue in ${s.start}`;
  return 'end';
}

const depthOf = (path: PropertyKey[]): number => path.filter((p) => p === 'then' || p === 'else').length;

/** `words` puts the customer-facing text in place of template ids (`flows graph --html`). */
export function flowGraph(flow: FlowDef, words: TemplateWords = () => null): FlowGraph {
  const { instrs } = compileFlow(flow).program;
  const nodes: GraphNode[] = [{ id: 'trigger', label: describeTrigger(flow), shape: 'terminal', depth: 0 }];
  const edges: GraphEdge[] = [];
  const END = 'done';
  // An `end` step is the end itself: drawn as the one end box, not as a box of its own beside it.
  const isEnd = (instr: Instr): boolean => instr.op === 'step' && 'end' in instr.step;
  /** Where control lands at instruction i: jumps are followed; past the last step is the end. */
  const target = (index: number): string => {
    let i = index;
    for (let n = 0; n <= instrs.length; n++) {
      const instr = instrs[i];
      if (!instr) return END;
      if (instr.op !== 'jump') return isEnd(instr) ? END : `s${i}`;
      if (instr.to < 0) return END;
      i = instr.to;
    }
    return END;
  };
  edges.push({ from: 'trigger', to: target(0) });
  const externals = new Set<string>();
  instrs.forEach((instr, i) => {
    const id = `s${i}`;
    if (instr.op === 'jump' || isEnd(instr)) return;
    if (instr.op === 'branch') {
      nodes.push({ id, label: `${describeCondition(instr.when)}?`, shape: 'decision', depth: depthOf(instr.path) });
      edges.push({ from: id, to: target(i + 1), label: 'yes' }, { from: id, to: target(instr.otherwise), label: 'no' });
      return;
    }
    nodes.push({ id, label: describeStep(instr, words), shape: 'step', depth: depthOf(instr.path) });
    const s = instr.step;
    if ('start' in s) {
      const ext = `flow_${s.start.replace(/\W/g, '_')}`;
      if (!externals.has(ext))
        nodes.push({ id: ext, label: `flow ${s.start}`, shape: 'external', depth: depthOf(instr.path) });
      externals.add(ext);
      edges.push({ from: id, to: ext });
    } else edges.push({ from: id, to: target(i + 1) });
    if ('ask' in s && s.ask.onTimeout === 'end' && s.ask.timeout)
      edges.push({ from: id, to: END, label: 'no answer', dashed: true });
    if ('ask' in s && s.ask.onInvalid === 'end') edges.push({ from: id, to: END, label: 'invalid', dashed: true });
    if ('wait' in s && typeof s.wait !== 'string' && (s.wait.cancelOnReply || s.wait.cancelOnEvents.length > 0)) {
      edges.push({ from: id, to: END, label: 'cancelled', dashed: true });
    }
  });
  nodes.push({ id: END, label: 'end', shape: 'terminal', depth: 0 });
  return { nodes, edges };
}

const quote = (s: string): string => `"${s.replace(/"/g, '#quot;')}"`;

export function toMermaid(graph: FlowGraph): string {
  const lines = ['flowchart TD'];
  for (const n of graph.nodes) {
    const q = quote(n.label);
    const shape =
      n.shape === 'decision'
        ? `{${q}}`
        : n.shape === 'terminal'
          ? `([${q}])`
          : n.shape === 'external'
            ? `[[${q}]]`
            : `[${q}]`;
    lines.push(`  ${n.id}${shape}`);
  }
  for (const e of graph.edges) {
    const arrow = e.dashed ? '-.->' : '-->';
    lines.push(`  ${e.from} ${arrow}${e.label ? `|${quote(e.label)}|` : ''} ${e.to}`);
  }
  return `${lines.join('\n')}\n`;
}

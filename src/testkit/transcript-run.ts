import { parseDuration } from '../duration.ts';
import { readEngineState } from '../flow-language/flow-state.ts';
import type { Scalar } from '../settings/condition-schema.ts';
import type { Settings } from '../settings/types.ts';
import { TranscriptHarness } from './transcript-harness.ts';
import type { Transcript, TranscriptStep } from './transcript-schema.ts';

/** Runs one transcript's script and checks every expectation; returns what failed and which flows ran. */

export interface TranscriptRun {
  failures: string[];
  flows: string[];
}

const clean = (s: string): string => s.replace(/\s+/g, ' ').trim();

/** `/regex/flags` is a regular expression; anything else is a piece of the text (case and spacing ignored). */
export function textMatches(expected: string, actual: string): boolean {
  const re = /^\/(.+)\/([a-z]*)$/s.exec(expected);
  if (re) {
    try {
      return new RegExp(re[1] as string, re[2]).test(actual);
    } catch {
      return false;
    }
  }
  return clean(actual).toLowerCase().includes(clean(expected).toLowerCase());
}

function describeStep(step: TranscriptStep): string {
  if (step.customer !== undefined) return `customer: "${clean(step.customer).slice(0, 40)}"`;
  if (step.event !== undefined) return `event: ${step.event}`;
  if (step.after !== undefined) return `after: ${step.after}`;
  if (step.at !== undefined) return `at: ${step.at}`;
  if (step.restart) return 'restart';
  if (step.agent) return `agent ${Object.keys(step.agent).filter((k) => k !== 'as' && k !== 'survey')[0] ?? ''}`;
  return 'check';
}

function compareTexts(what: string, expected: string[], actual: string[]): string[] {
  const shown = actual.map((t, i) => `\n    ${i + 1}. ${JSON.stringify(clean(t))}`).join('');
  if (expected.length !== actual.length) {
    return [`expected ${expected.length} ${what}, got ${actual.length}${shown}`];
  }
  return expected.flatMap((e, i) =>
    textMatches(e, actual[i] as string)
      ? []
      : [
          `${what} ${i + 1} should contain ${JSON.stringify(e)}, but it is ${JSON.stringify(clean(actual[i] as string))}`,
        ],
  );
}

const same = (expected: Scalar, actual: unknown): boolean =>
  expected === null ? actual === null || actual === undefined : String(expected) === String(actual);

async function checkState(h: TranscriptHarness, s: NonNullable<TranscriptStep['state']>): Promise<string[]> {
  const conv = await h.conversation();
  if (!conv) return ['there is no conversation yet'];
  const out: string[] = [];
  const es = readEngineState(conv.flowState);
  const newest = es.runs.at(-1);
  const eq = (name: string, expected: unknown, actual: unknown) => {
    if (expected !== undefined && expected !== actual)
      out.push(`${name} should be ${JSON.stringify(expected)}, but is ${JSON.stringify(actual)}`);
  };
  if (s.running) {
    const running = es.runs.map((r) => r.flow).sort();
    if (JSON.stringify(running) !== JSON.stringify([...s.running].sort()))
      out.push(`the flows waiting should be [${s.running.join(', ')}], but are [${running.join(', ')}]`);
  }
  eq('waiting', s.waiting, newest?.parked.kind ?? 'none');
  for (const [name, expected] of Object.entries(s.vars ?? {})) {
    const actual = newest?.vars[name];
    if (!same(expected, actual))
      out.push(`variable ${name} should be ${JSON.stringify(expected)}, but is ${JSON.stringify(actual ?? null)}`);
  }
  for (const item of s.ended ?? []) {
    const [flow, outcome] = item.split(':');
    if (!es.history.some((e) => e.flow === flow && (outcome === undefined || e.outcome === outcome))) {
      out.push(
        `flow ${item} should have ended; ended: [${es.history.map((e) => `${e.flow}:${e.outcome}`).join(', ')}]`,
      );
    }
  }
  eq('priority', s.priority, conv.priority);
  eq('category', s.category, conv.category);
  eq('status', s.status, conv.status);
  eq('intent', s.intent, conv.intent);
  for (const tag of s.tags ?? [])
    if (!conv.tags.includes(tag)) out.push(`tag ${tag} is missing; tags: [${conv.tags.join(', ')}]`);
  for (const tag of s.notTags ?? []) if (conv.tags.includes(tag)) out.push(`tag ${tag} should not be there`);
  eq('handoff', s.handoff, Boolean(conv.flowState?.handoff));
  eq('verified', s.verified, es.verified !== null);
  if (s.contact) {
    const contact = await h.contact();
    for (const [key, expected] of Object.entries(s.contact)) {
      const actual = contact
        ? Object.hasOwn(contact.attributes, key)
          ? contact.attributes[key]
          : (contact as unknown as Record<string, unknown>)[key]
        : undefined;
      if (!same(expected, actual))
        out.push(`contact ${key} should be ${JSON.stringify(expected)}, but is ${JSON.stringify(actual ?? null)}`);
    }
  }
  return out;
}

async function act(
  h: TranscriptHarness,
  step: TranscriptStep,
): Promise<{ refused: string | null; problem: string | null }> {
  const actions = [step.customer, step.event, step.after, step.at, step.restart, step.agent].filter(
    (a) => a !== undefined,
  );
  if (actions.length > 1)
    return { refused: null, problem: 'a step does one thing: customer, event, after, at, restart or agent' };
  if (step.customer !== undefined) await h.say(step.customer);
  else if (step.event !== undefined) {
    const named = { email: step.email, phone: step.phone };
    return { refused: await h.businessEvent(step.event, step.data ?? {}, step.id, named), problem: null };
  } else if (step.after !== undefined) await h.advanceTo(h.clock.now() + parseDuration(step.after));
  else if (step.at !== undefined) {
    const at = Date.parse(step.at);
    if (at < h.clock.now())
      return {
        refused: null,
        problem: `${step.at} is before the transcript's current time ${new Date(h.clock.now()).toISOString()}`,
      };
    await h.advanceTo(at);
  } else if (step.restart) await h.restart();
  else if (step.agent) return { refused: null, problem: await h.agent(step.agent) };
  return { refused: null, problem: null };
}

export async function runTranscript(
  settings: Settings,
  t: Transcript,
  where: (step: number) => string,
): Promise<TranscriptRun> {
  const failures: string[] = [];
  const h = await TranscriptHarness.open(settings, t);
  const seen = new Set<string>();
  try {
    for (const [i, step] of t.script.entries()) {
      const fail = (message: string) => failures.push(`${where(i)} (${describeStep(step)}): ${message}`);
      const { refused, problem } = await act(h, step);
      if (problem) fail(problem);
      for (const p of h.problems.splice(0)) fail(p);
      const fresh = (await h.sent()).filter((s) => !seen.has(s.message.id));
      for (const s of fresh) seen.add(s.message.id);
      const thread = fresh.filter((s) => s.conversation.threadKey === h.threadKey);
      // the bot's words: not what a person wrote, nor notes only agents see
      const here = thread
        .filter((s) => s.message.visibility !== 'internal' && s.message.author.kind !== 'agent')
        .map((s) => s.message.text);
      const notes = thread.filter((s) => s.message.visibility === 'internal').map((s) => s.message.text);
      const elsewhere = fresh
        .filter((s) => s.conversation.threadKey !== h.threadKey && s.message.visibility !== 'internal')
        .map((s) => s.message.text);
      const events = h.takeEvents();
      if (step.refused !== undefined && refused !== step.refused)
        fail(
          `the event should be refused with ${step.refused}, but ${refused ? `was refused with ${refused}` : 'was accepted'}`,
        );
      if (step.refused === undefined && refused) fail(`the event was refused: ${refused}`);
      if (step.bot) for (const f of compareTexts('replies', step.bot, here)) fail(f);
      if (step.notes) for (const f of compareTexts('notes', step.notes, notes)) fail(f);
      if (step.elsewhere) for (const f of compareTexts('messages elsewhere', step.elsewhere, elsewhere)) fail(f);
      for (const e of step.events ?? [])
        if (!events.includes(e)) fail(`event ${e} was not raised; raised: [${events.join(', ')}]`);
      if (step.state) for (const f of await checkState(h, step.state)) fail(f);
    }
  } finally {
    await h.close();
  }
  return { failures, flows: [...h.flowsSeen].sort() };
}

import type { Condition } from '../settings/condition-schema.ts';
import type { FlowProblem, FlowRefs } from '../settings/cross-checks.ts';
import type { FlowDef } from '../settings/flow-schema.ts';
import { withSuggestion } from '../settings/suggest.ts';
import { PATTERN_HINT, patternProblem } from '../text/pattern.ts';
import { compileFlow, walkSteps } from './flow-program.ts';
import { checkFlowVars } from './flow-var-checks.ts';
import { templatesOf } from './step-refs.ts';
import { checkTriggerOverlaps } from './trigger-checks.ts';

/**
 * What the flow schema alone cannot see: references to templates, intents and
 * other flows, step ids for `goto`, regular expressions, and flows that can
 * never start. Each problem names the flow (by index) and the path in its file.
 */

function nameList(names: string[]): string {
  if (names.length === 0) return '(none defined yet)';
  return names.length > 12 ? `${names.slice(0, 12).join(', ')} …` : names.join(', ');
}

/** Intents and regular expressions inside a condition, with their paths. */
function conditionRefs(
  c: Condition,
  path: PropertyKey[],
  out: { intents: Array<[PropertyKey[], string]>; regexes: Array<[PropertyKey[], string]> },
): void {
  if (c.intent !== undefined) {
    const list = Array.isArray(c.intent) ? c.intent : [c.intent];
    list.forEach((intent, i) => {
      out.intents.push([Array.isArray(c.intent) ? [...path, 'intent', i] : [...path, 'intent'], intent]);
    });
  }
  for (const key of ['vars', 'contact'] as const) {
    for (const [name, expected] of Object.entries(c[key] ?? {})) {
      if (
        expected !== null &&
        typeof expected === 'object' &&
        !Array.isArray(expected) &&
        expected.matches !== undefined
      ) {
        out.regexes.push([[...path, key, name, 'matches'], expected.matches]);
      }
    }
  }
  c.all?.forEach((x, i) => {
    conditionRefs(x, [...path, 'all', i], out);
  });
  c.any?.forEach((x, i) => {
    conditionRefs(x, [...path, 'any', i], out);
  });
  if (c.not) conditionRefs(c.not, [...path, 'not'], out);
}

export function checkFlows(flows: FlowDef[], refs: FlowRefs): FlowProblem[] {
  const problems: FlowProblem[] = [];
  const ids = flows.map((f) => f.id);
  const startTargets = new Set<string>();

  flows.forEach((flow, n) => {
    const add = (path: PropertyKey[], message: string, fix: string) => problems.push({ flow: n, path, message, fix });
    for (const p of compileFlow(flow).problems) add(p.path, p.message, p.fix);
    const found = { intents: [] as Array<[PropertyKey[], string]>, regexes: [] as Array<[PropertyKey[], string]> };
    flow.trigger.intents.forEach((intent, i) => {
      found.intents.push([['trigger', 'intents', i], intent]);
    });

    walkSteps(flow.steps, (step, path) => {
      const at = path.slice(1);
      const base: PropertyKey[] = ['steps', ...at];
      for (const [key, id] of templatesOf(step)) {
        if (id === undefined || !refs.templates || refs.templates.includes(id)) continue;
        add(
          [...base, ...key],
          `template \`${id}\` does not exist in ${refs.templatesFile}`,
          withSuggestion(
            id,
            refs.templates,
            `add it to ${refs.templatesFile} or use one of ${nameList(refs.templates)}`,
          ),
        );
      }
      if ('if' in step) conditionRefs(step.if, [...base, 'if'], found);
      if ('ask' in step && step.ask.expect === 'choice' && !step.ask.choices)
        add(
          [...base, 'ask', 'expect'],
          'an answer of type choice needs the choices to pick from',
          'add `choices: [first, second]` to this ask',
        );
      if ('ask' in step && step.ask.fromMessage && step.ask.expect === 'text' && step.ask.pattern === undefined)
        add(
          [...base, 'ask', 'fromMessage'],
          'a text answer taken from the message would be the whole message',
          'give the answer a type (`expect: number`, `date`, `email` …) or a `pattern`, or remove `fromMessage`',
        );
      if ('ask' in step && step.ask.pattern !== undefined)
        found.regexes.push([[...base, 'ask', 'pattern'], step.ask.pattern]);
      if ('start' in step) {
        startTargets.add(step.start);
        if (!ids.includes(step.start)) {
          add(
            [...base, 'start'],
            `no flow has the id \`${step.start}\``,
            withSuggestion(step.start, ids, `use one of ${nameList(ids)}`),
          );
        } else if (step.start === flow.id) {
          add([...base, 'start'], 'a flow cannot start itself', 'use `goto` with a step id to repeat steps');
        }
      }
      if ('lookup' in step && !/^(https?:\/\/|\{|demo:\/)/i.test(step.lookup.url)) {
        add(
          [...base, 'lookup', 'url'],
          `\`${step.lookup.url}\` is not an http(s) URL (an environment variable it names may be unset)`,
          'write the full address, e.g. https://shop.example.com/api/orders/{order}, or set the variable it names',
        );
      }
    });

    for (const [path, intent] of found.intents) {
      if (!refs.intents || refs.intents.includes(intent)) continue;
      add(
        path,
        `intent \`${intent}\` does not exist in ${refs.intentsFile}`,
        withSuggestion(intent, refs.intents, `add it to ${refs.intentsFile} or use one of ${nameList(refs.intents)}`),
      );
    }
    for (const [path, pattern] of found.regexes) {
      const error = patternProblem(pattern);
      if (error) add(path, `not a valid regular expression: ${error}`, PATTERN_HINT);
    }
    flow.trigger.after.forEach((after, i) => {
      if (!ids.includes(after))
        add(
          ['trigger', 'after', i],
          `no flow has the id \`${after}\``,
          withSuggestion(after, ids, `use one of ${nameList(ids)}`),
        );
    });
  });

  problems.push(...checkFlowVars(flows, refs.templateTexts), ...checkTriggerOverlaps(flows, refs.intentRules));

  flows.forEach((flow, n) => {
    const t = flow.trigger;
    const starts =
      t.fallback || t.firstMessage || t.intents.length + t.keywords.length + t.events.length + t.after.length > 0;
    if (starts || startTargets.has(flow.id)) return;
    problems.push({
      flow: n,
      path: ['trigger'],
      message:
        'this flow never starts: its trigger has no intents, keywords, events, after, firstMessage or fallback, and no flow starts it',
      fix: 'add `intents: [..]`, `keywords: [..]` or `events: [..]`, set `firstMessage: true` or `fallback: true`, or `start:` it from another flow',
    });
  });
  return problems;
}

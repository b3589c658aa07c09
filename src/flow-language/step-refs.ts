import type { Condition } from '../settings/condition-schema.ts';
import type { FlowStep } from '../settings/flow-schema.ts';

/** What a step refers to by name: the templates it says, the texts it fills in, the variables its conditions read. */

/** The template ids a step names, with the key each sits under. */
export function templatesOf(step: FlowStep): Array<[PropertyKey[], string | undefined]> {
  if ('say' in step) return [[['say'], step.say]];
  if ('ask' in step)
    return [
      [['ask', 'template'], step.ask.template],
      [['ask', 'invalid'], step.ask.invalid],
    ];
  if ('verify' in step) {
    const v = step.verify;
    return [
      [['verify', 'code'], v.code],
      [['verify', 'prompt'], v.prompt],
      [['verify', 'invalid'], v.invalid],
    ];
  }
  if ('csat' in step) {
    const c = step.csat;
    return [
      [['csat', 'template'], c.template],
      [['csat', 'thanks'], c.thanks],
      [['csat', 'low'], c.low],
    ];
  }
  if ('knowledge' in step) {
    const k = step.knowledge;
    return [
      [['knowledge', 'offer'], k.offer],
      [['knowledge', 'helped'], k.helped],
      [['knowledge', 'thanks'], k.thanks],
      [['knowledge', 'none'], k.none],
    ];
  }
  if ('lookup' in step) return [[['lookup', 'slow'], step.lookup.slow]];
  if ('private' in step) return [[['private', 'template'], step.private.template]];
  return [];
}

/** Texts of a step with {placeholders} filled in at run time (not templates), with their keys. */
export function filledTextsOf(step: FlowStep): Array<[PropertyKey[], string]> {
  const out: Array<[PropertyKey[], string]> = [];
  const add = (base: PropertyKey[], record: Record<string, unknown> | undefined) => {
    for (const [k, v] of Object.entries(record ?? {})) if (typeof v === 'string') out.push([[...base, k], v]);
  };
  if ('set' in step) {
    add(['set', 'vars'], step.set.vars);
    add(['set', 'contact'], step.set.contact);
  }
  if ('lookup' in step) {
    out.push([['lookup', 'url'], step.lookup.url]);
    add(['lookup', 'body'], step.lookup.body);
    add(['lookup', 'headers'], step.lookup.headers);
  }
  if ('wait' in step && typeof step.wait === 'object' && 'until' in step.wait)
    out.push([['wait', 'until'], step.wait.until]);
  if ('verify' in step && step.verify.to) out.push([['verify', 'to'], step.verify.to]);
  if ('knowledge' in step) out.push([['knowledge', 'question'], step.knowledge.question]);
  return out;
}

/** Variables a condition reads (`vars:` keys), with their tests and paths, through all/any/not. */
export function conditionVars(
  c: Condition,
  path: PropertyKey[],
  out: Array<{ name: string; expected: NonNullable<Condition['vars']>[string]; path: PropertyKey[] }> = [],
) {
  for (const [name, expected] of Object.entries(c.vars ?? {}))
    out.push({ name, expected, path: [...path, 'vars', name] });
  c.all?.forEach((x, i) => {
    conditionVars(x, [...path, 'all', i], out);
  });
  c.any?.forEach((x, i) => {
    conditionVars(x, [...path, 'any', i], out);
  });
  if (c.not) conditionVars(c.not, [...path, 'not'], out);
  return out;
}

import type { FlowProblem } from '../settings/cross-checks.ts';
import type { FlowDef } from '../settings/flow-schema.ts';
import { compilePattern } from '../text/pattern.ts';

/**
 * Triggers that overlap: two flows that start on the same intent, keyword or
 * business event, or a keyword the classifier reads as another flow's intent.
 * Only one flow runs for a message, so the winner must be declared: an
 * `unless` on either trigger settles it. Flows sharing an event both run.
 */

export interface IntentRules {
  keywords: string[];
  patterns: string[];
}

interface Overlap {
  what: string;
  /** The `unless` that gives these messages to the other flow, for each side. */
  yieldA: string;
  yieldB: string;
  settled: boolean;
}

const lower = (s: string) => s.toLowerCase();
const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Whether the classifier would read `text` as this intent (a keyword as a whole word, or a pattern). */
function readsAs(rules: IntentRules | undefined, text: string): boolean {
  if (!rules) return false;
  const t = lower(text);
  const word = (k: string) => new RegExp(`(^|[^\\p{L}\\p{N}])${escapeRegex(lower(k))}($|[^\\p{L}\\p{N}])`, 'u').test(t);
  return rules.keywords.some(word) || rules.patterns.some((p) => safeTest(p, text));
}

function safeTest(pattern: string, text: string): boolean {
  try {
    return compilePattern(pattern).test(text);
  } catch {
    return false; // a broken pattern is reported by its own check
  }
}

const leavesKeyword = (f: FlowDef, k: string) => f.trigger.unless.keywords.some((u) => lower(k).includes(lower(u)));
const leavesIntent = (f: FlowDef, i: string) => f.trigger.unless.intents.includes(i);

function messageOverlaps(a: FlowDef, b: FlowDef, intents: Record<string, IntentRules> | null): Overlap[] {
  const out: Overlap[] = [];
  for (const i of a.trigger.intents.filter((x) => b.trigger.intents.includes(x)))
    out.push({
      what: `intent \`${i}\``,
      yieldA: `\`unless: { keywords: [..] }\` to \`${a.id}\` naming the messages it leaves (or remove \`${i}\` from it)`,
      yieldB: `\`unless: { keywords: [..] }\` to \`${b.id}\` naming the messages it leaves (or remove \`${i}\` from it)`,
      settled: a.trigger.unless.keywords.length > 0 || b.trigger.unless.keywords.length > 0,
    });
  for (const ka of a.trigger.keywords)
    for (const kb of b.trigger.keywords) {
      if (!lower(ka).includes(lower(kb)) && !lower(kb).includes(lower(ka))) continue;
      const longer = ka.length >= kb.length ? ka : kb;
      out.push({
        what: `keyword \`${longer}\``,
        yieldA: `\`unless: { keywords: [${longer}] }\` to \`${a.id}\``,
        yieldB: `\`unless: { keywords: [${longer}] }\` to \`${b.id}\``,
        settled: leavesKeyword(a, longer) || leavesKeyword(b, longer),
      });
    }
  for (const [kw, intentFlow, keywordFlow] of [
    ...a.trigger.keywords.map((k) => [k, b, a] as const),
    ...b.trigger.keywords.map((k) => [k, a, b] as const),
  ])
    for (const i of intentFlow.trigger.intents) {
      if (!readsAs(intents?.[i], kw)) continue;
      out.push({
        what: `keyword \`${kw}\` of \`${keywordFlow.id}\`, which intents.yaml reads as intent \`${i}\` of \`${intentFlow.id}\``,
        yieldA:
          keywordFlow === a
            ? `\`unless: { intents: [${i}] }\` to \`${a.id}\``
            : `\`unless: { keywords: [${kw}] }\` to \`${a.id}\``,
        yieldB:
          keywordFlow === b
            ? `\`unless: { intents: [${i}] }\` to \`${b.id}\``
            : `\`unless: { keywords: [${kw}] }\` to \`${b.id}\``,
        settled: leavesIntent(keywordFlow, i) || leavesKeyword(intentFlow, kw),
      });
    }
  return out;
}

/** Touchpoint rules that keep two flows apart: they never see the same message. */
function apart(a: FlowDef, b: FlowDef): boolean {
  const [ta, tb] = [a.trigger, b.trigger];
  if (ta.visibility !== 'any' && tb.visibility !== 'any' && ta.visibility !== tb.visibility) return true;
  return (
    ta.touchpoints.length > 0 && tb.touchpoints.length > 0 && !ta.touchpoints.some((t) => tb.touchpoints.includes(t))
  );
}

export function checkTriggerOverlaps(flows: FlowDef[], intents: Record<string, IntentRules> | null): FlowProblem[] {
  const problems: FlowProblem[] = [];
  flows.forEach((a, ia) => {
    flows.forEach((b, ib) => {
      if (ib <= ia || apart(a, b)) return;
      // the winner: higher priority, else the flow listed first (file order, which nobody chose)
      const [winner, loser, li] = b.priority > a.priority ? [b, a, ia] : [a, b, ib];
      const why =
        a.priority === b.priority
          ? `both have priority ${a.priority}, so \`${winner.id}\` wins only because its file comes first`
          : `\`${winner.id}\` wins (priority ${winner.priority} over ${loser.priority})`;
      for (const o of messageOverlaps(a, b, intents)) {
        if (o.settled) continue;
        const [giveToWinner, keepForLoser] = winner === a ? [o.yieldB, o.yieldA] : [o.yieldA, o.yieldB];
        problems.push({
          flow: li,
          path: ['trigger'],
          message: `this trigger overlaps flow \`${winner.id}\`'s on ${o.what}: ${why}, and \`${loser.id}\` never runs for those messages`,
          fix: `declare who has them: to leave them to \`${winner.id}\`, add ${giveToWinner}; to keep them for \`${loser.id}\`, add ${keepForLoser}`,
        });
      }
      for (const e of a.trigger.events.filter((x) => b.trigger.events.includes(x)))
        problems.push({
          flow: li,
          path: ['trigger', 'events'],
          message: `flow \`${winner.id}\` also starts on event \`${e}\`: both run at once (\`${winner.id}\` first), each sending its own messages`,
          fix: `keep \`${e}\` on one flow and \`start:\` the other from it, or merge the two flows`,
        });
    });
  });
  return problems;
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { adapters } from '../../adapters/registry.ts';
import { cli } from '../cli/helpers.ts';
import { copyExample, type TempBusiness } from '../settings/helpers.ts';

/**
 * `touchpoint check` on deliberately broken copies of the shipped birthday-cake
 * flow: each mistake an owner makes is caught with the file, line, what is
 * wrong and the fix.
 */

let t: TempBusiness;
beforeEach(() => {
  t = copyExample();
});
afterEach(() => t.cleanup());

const read = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8');
const check = async () => {
  const r = await cli(['check', '--config', t.configDir, '--flows', t.flowsDir], {}, adapters);
  return { code: r.code, out: r.stdout + r.stderr };
};
function edit(file: 'flows' | 'config', name: string, from: string | RegExp, to: string): void {
  const dir = file === 'flows' ? t.flowsDir : t.configDir;
  const text = read(dir, name);
  const changed = text.replace(from, to);
  expect(changed, `${name} has ${from}`).not.toBe(text);
  t.write(`${file}/${name}`, changed);
}

describe('check on broken copies of the birthday-cake flow', () => {
  it('passes the shipped flows', async () => {
    expect(await check()).toMatchObject({ code: 0 });
  });

  it('names a misspelt variable in a template, with did-you-mean', async () => {
    edit(
      'config',
      'templates.yaml',
      'A celebration cake for {guests} on {date.date} - lovely!',
      'A celebration cake for {guest} on {date.date} - lovely!',
    );
    const r = await check();
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      /birthday-cake\.yaml:\d+:\d+ \(steps\[4\]\.say\): template `cake_confirm` uses `guest`, which no step of this flow sets and is not built in\. Fix: did you mean `guests`\?/,
    );
  });

  it('names a variable used before the step that sets it', async () => {
    edit(
      'flows',
      'birthday-cake.yaml',
      / {2}- ask:\n {6}template: cake_guests/,
      '  - say: cake_confirm\n  - ask:\n      template: cake_guests',
    );
    const r = await check();
    expect(r.out).toMatch(
      /\(steps\[1\]\.say\): template `cake_confirm` uses `guests`, which no step on the way here sets/,
    );
  });

  it('names a misspelt variable in a condition', async () => {
    edit('flows', 'birthday-cake.yaml', '{ vars: { date: { within: 3d } } }', '{ vars: { dat: { within: 3d } } }');
    const r = await check();
    expect(r.out).toMatch(/\(steps\[3\]\.if\.vars\.dat\): this condition reads `dat`, .* Fix: did you mean `date`\?/);
  });

  it('refuses a date compared with a number, and says how to compare dates', async () => {
    edit('flows', 'birthday-cake.yaml', '{ vars: { date: { within: 3d } } }', '{ vars: { date: { below: 3 } } }');
    const r = await check();
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      /birthday-cake\.yaml:\d+:\d+ \(steps\[3\]\.if\.vars\.date\): `date` is a date, compared here with a number: this is never true\. Fix: .*`date: \{ within: 3d \}`.*`date\.daysAway: \{ below: 3 \}`/,
    );
  });

  it('refuses a span that is not one', async () => {
    edit('flows', 'birthday-cake.yaml', 'within: 3d', 'within: three days');
    const r = await check();
    expect(r.out).toMatch(
      /steps\[3\]\.if\.vars\.date\.within\): .*write a span such as 3d, 12h, 2w or 3 business days/,
    );
  });

  it('reports the overlapping trigger, who wins, and both ways to declare it', async () => {
    edit('flows', 'ordering.yaml', / {2}unless: \{ keywords: \[birthday cake, celebration cake\] \}\n/, '');
    const r = await check();
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      /ordering\.yaml:\d+:\d+ \(trigger\): this trigger overlaps flow `birthday-cake`'s on keyword `birthday cake` of `birthday-cake`, which intents\.yaml reads as intent `ordering` of `ordering`: `birthday-cake` wins \(priority 30 over 20\), and `ordering` never runs for those messages\. Fix: .*add `unless: \{ keywords: \[birthday cake\] \}` to `ordering`.*add `unless: \{ intents: \[ordering\] \}` to `birthday-cake`/,
    );
  });

  it('reports two flows on the same intent at the same priority as accidental', async () => {
    t.write('flows/pricing-two.yaml', read(t.flowsDir, 'pricing.yaml').replace('id: pricing', 'id: pricing-two'));
    const r = await check();
    expect(r.out).toMatch(
      /pricing\.yaml:\d+:\d+ \(trigger\): this trigger overlaps flow `pricing-two`'s on intent `pricing`: both have priority 10, so `pricing-two` wins only because its file comes first/,
    );
  });

  it('reports two flows on the same business event', async () => {
    edit('flows', 'cake-follow-up.yaml', 'events: [cake.ordered]', 'events: [purchase.completed]');
    const r = await check();
    expect(r.out).toMatch(
      /cake-follow-up\.yaml:\d+:\d+ \(trigger\.events\): flow `after-sales` also starts on event `purchase\.completed`: both run at once/,
    );
  });

  it('phrases a union in owner words, with an example of each form', async () => {
    edit('flows', 'cake-follow-up.yaml', '  - wait: 2d', '  - wait: [2d]');
    const r = await check();
    expect(r.out).toMatch(
      /\(steps\[0\]\.wait\): a list is not a form this setting takes\. Fix: write either a duration: .* or a mapping such as `\{ for: … \}` \(keys: for, .*\) or a mapping such as `\{ until: … \}`/,
    );
  });

  it('says how to compare a date when a span is given to below', async () => {
    edit('flows', 'birthday-cake.yaml', 'within: 3d', 'below: 3d');
    const r = await check();
    expect(r.out).toMatch(
      /\(steps\[3\]\.if\.vars\.date\.below\): expected a number, got the span "3d"\. Fix: .*write `within: 3d` or `before: today \+ 3d`/,
    );
  });

  it('accepts a handoff priority, and lists the real keys when a handoff key is wrong', async () => {
    edit('flows', 'birthday-cake.yaml', '      priority: high', '      urgency: high');
    const r = await check();
    expect(r.out).toMatch(
      /\(steps\[5\]\.handoff\.urgency\): unknown setting `urgency`\. Fix: .*known keys: team, reason, priority/,
    );
  });

  it('reports one wrong indent once, at its line, not as a cascade', async () => {
    edit('flows', 'birthday-cake.yaml', '      var: guests\n', '     var: guests\n');
    const r = await check();
    expect(r.out).toMatch(
      /birthday-cake\.yaml:19:1: YAML syntax error: All mapping items must start at the same column \(\d+ more reported after it, most likely caused by it\)\. Fix: check the indentation/,
    );
    expect(r.out).toContain('1 problem found.');
  });
});

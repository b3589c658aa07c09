import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyExample, type ExampleCopy } from './example.ts';

let t: ExampleCopy;
beforeEach(() => {
  t = copyExample();
});
afterEach(() => t.cleanup());

const flow = (body: string) => `# yaml-language-server: $schema=../config/schema/flow.json\n${body}`;

describe('touchpoint check on flows', () => {
  it('names unknown templates, intents, flows, step ids and bad patterns, with file and line', () => {
    const file = t.write(
      'flows/broken.yaml',
      flow(
        [
          'id: broken',
          'trigger: { intents: [pricng], after: [nope] }',
          'steps:',
          '  - ask: { template: order_ofer, var: x, pattern: "(oops" }',
          '  - if: { intent: hourz, vars: { x: { matches: "[a-" } } }',
          '    then:',
          '      - start: odering',
          '      - goto: missing',
          '  - csat: { template: csat_question, low: nope_low }',
          '',
        ].join('\n'),
      ),
    );
    const problems = t.problems().filter((p) => p.file === file);
    const brief = problems.map((p) => `${p.line} ${p.path}: ${p.message}`);
    expect(brief).toEqual(
      expect.arrayContaining([
        `3 trigger.intents[0]: intent \`pricng\` does not exist in ${t.configDir}/intents.yaml`,
        '3 trigger.after[0]: no flow has the id `nope`',
        `5 steps[0].ask.template: template \`order_ofer\` does not exist in ${t.configDir}/templates.yaml`,
        expect.stringMatching(/^5 steps\[0\]\.ask\.pattern: not a valid regular expression/),
        `6 steps[1].if.intent: intent \`hourz\` does not exist in ${t.configDir}/intents.yaml`,
        expect.stringMatching(/^6 steps\[1\]\.if\.vars\.x\.matches: not a valid regular expression/),
        '8 steps[1].then[0].start: no flow has the id `odering`',
        '9 steps[1].then[1].goto: no step in this flow has the id `missing`',
        `10 steps[2].csat.low: template \`nope_low\` does not exist in ${t.configDir}/templates.yaml`,
      ]),
    );
    expect(problems.find((p) => p.path === 'steps[0].ask.template')?.fix).toMatch(/did you mean `order_offer`/);
    expect(problems.find((p) => p.path === 'steps[1].then[0].start')?.fix).toMatch(/did you mean `ordering`/);
  });

  it('accepts a flow without a trigger of its own when another flow starts it, and reports one nobody starts', () => {
    t.write('flows/helper.yaml', flow('id: helper\ntrigger: {}\nsteps:\n  - say: thanks\n'));
    t.write('flows/caller.yaml', flow('id: caller\ntrigger: { keywords: [help me] }\nsteps:\n  - start: helper\n'));
    const orphan = t.write('flows/orphan.yaml', flow('id: orphan\ntrigger: {}\nsteps:\n  - say: thanks\n'));
    const problems = t.problems();
    expect(problems.map((p) => p.file)).toEqual([orphan]);
    expect(problems[0]).toMatchObject({ line: 3, message: expect.stringMatching(/never starts/) });
  });

  it('explains a step it does not know and a wait with a wrong duration', () => {
    const file = t.write(
      'flows/bad.yaml',
      flow('id: bad\ntrigger: { keywords: [x] }\nsteps:\n  - sleep: 3d\n  - wait: { for: 3 days }\n'),
    );
    const problems = t.problems().filter((p) => p.file === file);
    expect(problems).toEqual([
      expect.objectContaining({ line: 5, message: 'unknown key `sleep`' }),
      expect.objectContaining({ line: 6, path: 'steps[1].wait.for' }),
    ]);
  });
});

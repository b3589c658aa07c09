import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, type ConfigProblem } from '../../src/errors.ts';
import { readPolicies } from '../../src/settings/policy-load.ts';
import { noPolicies } from '../../src/settings/policy-schema.ts';
import { copyExample, load, type TempBusiness } from '../settings/helpers.ts';

let t: TempBusiness;
afterEach(() => t?.cleanup());

function policies(env: Record<string, string> = {}) {
  return load(t, env).policies;
}

function problems(): ConfigProblem[] {
  try {
    policies();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected config problems');
}

/** The 1-based line of `text` in one of the config files. */
function lineOf(file: string, text: string): number {
  return (
    readFileSync(join(t.configDir, file), 'utf8')
      .split('\n')
      .findIndex((l) => l.includes(text)) + 1
  );
}

/** Replaces `from` with `to` in one of the example's files. */
function edit(file: string, from: string, to: string): void {
  const path = join(t.configDir, file);
  const text = readFileSync(path, 'utf8');
  expect(text).toContain(from);
  t.write(`config/${file}`, text.replace(from, to));
}

describe('policy settings', () => {
  it('load the example business', () => {
    t = copyExample();
    const p = policies();
    expect(p.triage.afterHours?.acknowledge).toBe('after_hours_ack');
    expect(p.sla.policies.map((x) => x.name)).toEqual(['urgent', 'vip', 'email', 'standard']);
    expect(Object.keys(p.oncall.people)).toEqual(['maya', 'tom', 'sam']);
    expect(p.handoff.rules[0]?.routes).toEqual(['privateReply', 'dm', 'email', 'sms', 'whatsapp']);
  });

  it('turn every policy off when the files are absent', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tp-no-policies-'));
    try {
      expect(readPolicies({ configDir: dir, env: {}, templates: {} })).toEqual({
        policies: noPolicies(),
        problems: [],
      });
      expect(noPolicies().triage.afterHours).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('name a missing template with its file and line, and suggest the closest', () => {
    t = copyExample();
    edit('triage.yaml', 'acknowledge: after_hours_ack', 'acknowledge: after_hour_ack');
    const [p, ...rest] = problems();
    expect(rest).toEqual([]);
    expect(p).toMatchObject({
      file: join(t.configDir, 'triage.yaml'),
      line: lineOf('triage.yaml', 'after_hour_ack'),
      path: 'afterHours.acknowledge',
    });
    expect(p?.fix).toContain('after_hours_ack');
  });

  it('report unknown people, impossible steps and bad patterns together', () => {
    t = copyExample();
    edit('sla.yaml', 'action: reassign, to: [sam]', 'action: reassign, to: [sam, maya]');
    edit('sla.yaml', 'action: notify, to: [sam]', 'action: notify, to: [samm]');
    edit('handoff.yaml', '"\\\\bwhere is my\\\\b"', '"where (is my"');
    edit('oncall.yaml', 'vip: [sam]', 'vip: [sammy]');
    const found = problems().map((p) => [p.file.split('/').pop(), p.line, p.path, p.message]);
    expect(found).toEqual([
      [
        'handoff.yaml',
        lineOf('handoff.yaml', 'where (is my'),
        'asksForPersonalData.patterns[0]',
        expect.stringContaining('not a valid regular expression'),
      ],
      ['oncall.yaml', lineOf('oncall.yaml', 'sammy'), 'vip[0]', 'no person `sammy` in oncall.yaml'],
      ['sla.yaml', lineOf('sla.yaml', 'samm'), 'escalation[0].to[0]', 'no person `samm` in oncall.yaml'],
      ['sla.yaml', lineOf('sla.yaml', 'reassign'), 'escalation[1].to', 'reassign needs exactly one person'],
    ]);
  });

  it('check durations and shapes with the schema, with file and line', () => {
    t = copyExample();
    edit('oncall.yaml', 'ackTimeout: 15m', 'ackTimeout: soon');
    const [p] = problems();
    expect(p).toMatchObject({
      file: join(t.configDir, 'oncall.yaml'),
      line: lineOf('oncall.yaml', 'ackTimeout: soon'),
      path: 'ackTimeout',
    });
    expect(p?.fix).toContain('a duration');
  });

  it('refuse paging with nobody to page', () => {
    t = copyExample();
    t.remove('config/oncall.yaml');
    const found = problems().map((p) => [p.file.split('/').pop(), p.path, p.message]);
    expect(found).toContainEqual([
      'oncall.yaml',
      'people',
      'urgent messages or SLA escalations page on-call, but oncall.yaml names nobody',
    ]);
  });
});

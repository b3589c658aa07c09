// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are YAML with ${ENV} references
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { adapters } from '../../adapters/registry.ts';
import { ConfigError } from '../../src/errors.ts';
import { copyExample, load, problemsOf, type TempBusiness, testAdapters } from './helpers.ts';

let t: TempBusiness;
beforeEach(() => {
  t = copyExample();
});
afterEach(() => t.cleanup());

describe('the example business', () => {
  it('loads without problems', () => {
    const s = load(t, {}, adapters);
    expect(s.business.name).toBe('Harbour Street Bakery');
    expect(s.business.timezone).toBe('Europe/London');
    expect(s.business.hours.sat).toEqual(['08:00-12:30', '14:00-17:00']);
    expect(s.business.hours.mon).toBeUndefined();
    expect(Object.keys(s.channels).sort()).toEqual(Object.keys(adapters).sort());
    expect(
      Object.entries(s.channels)
        .filter(([, c]) => c.enabled)
        .map(([n]) => n),
    ).toEqual(['webchat']);
    expect(s.channels.webchat?.settings).toMatchObject({ title: 'Harbour Street Bakery' });
    expect(Object.keys(s.templates)).toEqual(
      expect.arrayContaining(['greeting', 'pricing', 'hours', 'complaint_apology', 'handoff', 'fallback', 'thanks']),
    );
    expect(s.intents.complaint).toMatchObject({ category: 'complaint', priority: 'high' });
    expect(s.router.server.port).toBe(3000);
    expect(s.router.outbox.leaseTimeout).toBe('60s');
  });

  it('has one flow per intent, and a fallback flow', () => {
    const s = load(t);
    const byId = new Map(s.flows.map((f) => [f.id, f]));
    for (const intent of Object.keys(s.intents)) {
      expect(
        s.flows.some((f) => f.trigger.intents.includes(intent)),
        intent,
      ).toBe(true);
    }
    expect(s.flows.filter((f) => f.trigger.fallback).map((f) => f.id)).toEqual(['fallback']);
    const complaint = JSON.stringify(byId.get('complaint')?.steps);
    for (const part of [
      '"priority":"high"',
      '"category":"complaint"',
      'complaint_details',
      'complaint_apology',
      '"handoff"',
    ]) {
      expect(complaint).toContain(part);
    }
    expect(byId.get('human')?.steps.some((step) => 'handoff' in step)).toBe(true);
  });
});

describe('problems name the file, line and setting', () => {
  it('reports a wrong type, an unknown key and a bad duration in router.yaml', () => {
    const file = t.write(
      'config/router.yaml',
      ['server:', '  port: "abc"', '  hots: 0.0.0.0', 'outbox:', '  backoffMax: 10 minutes', ''].join('\n'),
    );
    const problems = problemsOf(t);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          file,
          line: 2,
          column: 9,
          path: 'server.port',
          message: 'expected a number, got "abc"',
        }),
        expect.objectContaining({
          file,
          line: 3,
          path: 'server.hots',
          message: 'unknown setting `hots`',
          fix: expect.stringMatching(/did you mean `host`\?.*known keys: host, port/),
        }),
        expect.objectContaining({
          file,
          line: 5,
          path: 'outbox.backoffMax',
          fix: 'use a duration such as 500ms, 30s, 5m, 2h or 3d',
        }),
      ]),
    );
    expect(problems).toHaveLength(3);
  });

  it('reports a weekday that does not exist and a slot that ends before it starts', () => {
    const file = t.write(
      'config/business.yaml',
      ['name: Test', 'hours:', '  mon: ["17:00-09:00"]', '  funday: ["09:00-10:00"]', ''].join('\n'),
    );
    expect(problemsOf(t)).toEqual([
      expect.objectContaining({
        file,
        line: 3,
        path: 'hours.mon[0]',
        fix: 'use a time range whose end is after its start, such as 09:00-17:30',
      }),
      expect.objectContaining({
        file,
        line: 4,
        path: 'hours.funday',
        fix: 'use one of mon, tue, wed, thu, fri, sat, sun',
      }),
    ]);
  });

  it('reports a missing required setting where it belongs', () => {
    const file = t.write('config/business.yaml', 'timezone: Europe/Paris\n');
    expect(problemsOf(t)).toEqual([
      expect.objectContaining({
        file,
        line: 1,
        path: 'name',
        message: 'missing required setting `name`',
        fix: expect.stringContaining('add `name: …`'),
      }),
    ]);
  });

  it('maps a YAML syntax error to its line', () => {
    const file = t.write('config/templates.yaml', 'templates:\n  greeting: "Hi\n  thanks: Thanks\n');
    const problems = problemsOf(t);
    expect(problems.some((p) => p.file === file && p.line !== null && p.message.startsWith('YAML syntax error'))).toBe(
      true,
    );
  });

  it('reports tabs used for indentation', () => {
    const file = t.write('config/intents.yaml', 'intents:\n\tgreeting:\n    keywords: [hi]\n');
    expect(problemsOf(t)).toContainEqual(
      expect.objectContaining({ file, line: 2, fix: 'indent with spaces, not tabs' }),
    );
  });

  it('reports duplicate keys', () => {
    const file = t.write('config/business.yaml', 'name: A\nname: B\n');
    expect(problemsOf(t)).toEqual([
      expect.objectContaining({ file, line: 2, fix: 'keep only one of the keys with this name' }),
    ]);
  });

  it('reports a flow that names a missing template, and an unknown intent', () => {
    const file = t.write(
      'flows/greet.yaml',
      ['id: greet', 'trigger:', '  intents: [greting]', 'steps:', '  - say: greetng', ''].join('\n'),
    );
    const problems = problemsOf(t);
    expect(problems).toEqual([
      expect.objectContaining({
        file,
        line: 5,
        path: 'steps[0].say',
        message: `template \`greetng\` does not exist in ${join(t.configDir, 'templates.yaml')}`,
        fix: expect.stringMatching(/^did you mean `greeting`\?/),
      }),
      expect.objectContaining({ file, line: 3, path: 'trigger.intents[0]', fix: expect.stringMatching(/greeting/) }),
    ]);
  });

  it('reports a duplicate flow id in the second file', () => {
    const file = t.write(
      'flows/zz-greet-again.yaml',
      'id: greet\ntrigger: { intents: [greeting] }\nsteps:\n  - say: greeting\n',
    );
    expect(problemsOf(t)).toEqual([
      expect.objectContaining({
        file,
        line: 1,
        path: 'id',
        message: `flow id \`greet\` is already used in ${join(t.flowsDir, 'greet.yaml')}:2`,
      }),
    ]);
  });

  it('explains steps that are misspelt, mistyped or combined', () => {
    const file = t.write(
      'flows/bad.yaml',
      [
        'id: bad',
        'trigger: { keywords: [cake] }',
        'steps:',
        '  - sya: greeting',
        '  - say: 3',
        '  - { say: greeting, end: true }',
        '  - set: { priority: hgh }',
        '',
      ].join('\n'),
    );
    expect(problemsOf(t)).toEqual([
      expect.objectContaining({
        file,
        line: 4,
        path: 'steps[0].sya',
        fix: expect.stringMatching(/^did you mean `say`\?/),
      }),
      expect.objectContaining({ file, line: 5, path: 'steps[1].say', message: 'expected text, got the number 3' }),
      expect.objectContaining({ file, line: 6, path: 'steps[2]', message: '`say`, `end` cannot be combined here' }),
      expect.objectContaining({ file, line: 7, path: 'steps[3].set.priority', fix: expect.stringMatching(/high/) }),
    ]);
  });

  it('reports a flow that can never start, and a second fallback flow', () => {
    const file = t.write('flows/other.yaml', 'id: other\ntrigger: {}\nsteps:\n  - say: thanks\n');
    const second = t.write(
      'flows/zz-fallback.yaml',
      'id: fallback2\ntrigger: { fallback: true }\nsteps:\n  - say: fallback\n',
    );
    const problems = problemsOf(t);
    expect(problems).toContainEqual(
      expect.objectContaining({ file, line: 2, message: expect.stringMatching(/never starts/) }),
    );
    expect(problems).toContainEqual(
      expect.objectContaining({
        file: second,
        line: 2,
        path: 'trigger.fallback',
        message: expect.stringMatching(/already the fallback/),
      }),
    );
  });

  it('reports an intent pattern that is not a regular expression', () => {
    const file = t.write('config/intents.yaml', 'intents:\n  greeting:\n    patterns:\n      - "(hello"\n');
    t.remove('flows');
    const problems = problemsOf(t);
    expect(problems).toContainEqual(
      expect.objectContaining({
        file,
        line: 4,
        path: 'intents.greeting.patterns[0]',
        message: expect.stringMatching(/regular expression/),
      }),
    );
    expect(problems).toContainEqual(
      expect.objectContaining({ file: t.flowsDir, line: null, message: 'the flows folder does not exist' }),
    );
  });

  it('reports an unknown timezone, a date that does not exist and a misspelt holiday key', () => {
    const file = t.write(
      'config/business.yaml',
      'name: A\ntimezone: Mars/Olympus\nholidays:\n  - 2026-02-30\n  - { dat: 2026-12-25 }\n',
    );
    expect(problemsOf(t)).toEqual([
      expect.objectContaining({ file, line: 2, path: 'timezone', message: '"Mars/Olympus" is not valid here' }),
      expect.objectContaining({
        file,
        line: 4,
        path: 'holidays[0]',
        fix: 'use a real calendar date such as 2026-12-25',
      }),
      expect.objectContaining({ file, line: 5, path: 'holidays[1].date', message: 'missing required setting `date`' }),
      expect.objectContaining({
        file,
        line: 5,
        path: 'holidays[1].dat',
        fix: 'did you mean `date`? Remove it or check the spelling; known keys: date, name',
      }),
    ]);
  });

  it('requires business.yaml and flags unknown files in config/', () => {
    t.remove('config/business.yaml');
    t.write('config/busines.yml', 'name: A\n');
    const problems = problemsOf(t);
    expect(problems).toContainEqual(
      expect.objectContaining({
        file: join(t.configDir, 'business.yaml'),
        message: 'this file is required but missing',
      }),
    );
    expect(problems).toContainEqual(
      expect.objectContaining({
        file: join(t.configDir, 'busines.yml'),
        message: 'unknown config file',
        fix: expect.stringMatching(/^did you mean `business.yaml`\?/),
      }),
    );
  });

  it('collects the problems of every file into one ConfigError', () => {
    t.write('config/router.yaml', 'server:\n  port: -1\n');
    t.write('config/intents.yaml', 'intents:\n  greeting:\n    priority: hgh\n');
    t.write('flows/thanks.yaml', 'id: Thanks\ntrigger: { intents: [thanks] }\nsteps: []\n');
    let error: unknown;
    try {
      load(t);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const files = new Set((error as ConfigError).problems.map((p) => p.file));
    expect(files).toEqual(
      new Set([join(t.configDir, 'router.yaml'), join(t.configDir, 'intents.yaml'), join(t.flowsDir, 'thanks.yaml')]),
    );
    expect((error as ConfigError).message).toMatch(/router\.yaml:2:9 \(server\.port\): .*Fix: /);
  });

  it('takes defaults for optional files that are absent or empty', () => {
    t.remove('config/router.yaml');
    t.write('config/channels.yaml', '');
    const s = load(t);
    expect(s.router.server).toMatchObject({ host: '127.0.0.1', port: 3000 });
    expect(s.router.pipeline.leaseTimeout).toBe('30s');
    expect(s.channels).toEqual({});
  });
});

describe('channels', () => {
  it('validates the adapter’s own settings inside a block, at the right line', () => {
    const file = t.write(
      'config/channels.yaml',
      [
        'channels:',
        '  webchat:',
        '    enabled: true',
        '    titel: Hello',
        '  sms:',
        '    accountSid: XX1',
        '    authToken: secret-token',
        '    rateLimit: { minTimeMs: -5 }',
        '',
      ].join('\n'),
    );
    expect(problemsOf(t)).toEqual([
      expect.objectContaining({ file, line: 8, path: 'channels.sms.rateLimit.minTimeMs' }),
      expect.objectContaining({
        file,
        line: 4,
        path: 'channels.webchat.titel',
        fix: expect.stringMatching(/^did you mean `title`\?.*known keys: title, enabled, rateLimit/),
      }),
      expect.objectContaining({
        file,
        line: 6,
        path: 'channels.sms.accountSid',
        fix: 'use an account SID such as AC123',
      }),
    ]);
  });

  it('rejects an unknown channel name and lists the known ones', () => {
    const file = t.write('config/channels.yaml', 'channels:\n  webchta: { enabled: true }\n');
    expect(problemsOf(t)).toEqual([
      expect.objectContaining({
        file,
        line: 2,
        column: 3,
        path: 'channels.webchta',
        message: 'unknown channel `webchta`',
        fix: `did you mean \`webchat\`? Use one of ${Object.keys(testAdapters).sort().join(', ')}`,
      }),
    ]);
  });

  it('names the one base-URL setting when an old name is used: apiUrl (Slack), graphApiUrl (Meta)', () => {
    const file = t.write(
      'config/channels.yaml',
      [
        'channels:',
        '  slack:',
        '    botToken: xoxb-1',
        '    signingSecret: secret-123',
        '    apiUrl: https://slack.test/api/',
        '  facebook:',
        '    appSecret: s',
        '    verifyToken: v',
        '    accessToken: a',
        '    pageId: "1000001"',
        '    graphApiUrl: https://graph.test',
        '',
      ].join('\n'),
    );
    const problems = problemsOf(t).filter((p) => p.path?.endsWith('Url'));
    expect(problems).toEqual([
      expect.objectContaining({
        file,
        line: 5,
        path: 'channels.slack.apiUrl',
        message: '`apiUrl` was renamed to `apiBaseUrl`',
        fix: 'rename apiUrl to apiBaseUrl',
      }),
      expect.objectContaining({
        file,
        line: 11,
        path: 'channels.facebook.graphApiUrl',
        message: '`graphApiUrl` was renamed to `apiBaseUrl`',
        fix: 'rename graphApiUrl to apiBaseUrl',
      }),
    ]);
  });

  it('does not require the settings or secrets of a disabled channel', () => {
    t.write('config/channels.yaml', 'channels:\n  sms:\n    enabled: false\n    authToken: ${TWILIO_AUTH_TOKEN}\n');
    expect(load(t).channels.sms).toEqual({ enabled: false, rateLimit: undefined, settings: null });
  });
});

describe('environment references', () => {
  const smsBlock = [
    'channels:',
    '  sms:',
    '    accountSid: ${TWILIO_ACCOUNT_SID:-AC000default}',
    '    authToken: "${TWILIO_AUTH_TOKEN}"',
    '',
  ].join('\n');

  it('replaces ${VAR} and ${VAR:-default} from the environment', () => {
    t.write('config/channels.yaml', smsBlock);
    t.write('config/business.yaml', 'name: ${SHOP_NAME} of ${TOWN:-Leeds}, $${literal}\n');
    const s = load(t, { TWILIO_AUTH_TOKEN: 'tok-123456789', SHOP_NAME: 'Crumbs' });
    expect(s.channels.sms?.settings).toEqual({ accountSid: 'AC000default', authToken: 'tok-123456789' });
    expect(s.business.name).toBe('Crumbs of Leeds, ${literal}');
    const set = load(t, { TWILIO_AUTH_TOKEN: 'tok-123456789', TWILIO_ACCOUNT_SID: 'AC42', SHOP_NAME: 'X', TOWN: '' });
    expect(set.channels.sms?.settings).toMatchObject({ accountSid: 'AC42' });
    expect(set.business.name).toBe('X of Leeds, ${literal}');
  });

  it('reports a missing variable with its file and line, once', () => {
    const file = t.write('config/channels.yaml', smsBlock);
    expect(problemsOf(t)).toEqual([
      {
        file,
        line: 4,
        column: 16,
        path: 'channels.sms.authToken',
        message: 'environment variable TWILIO_AUTH_TOKEN is not set',
        fix: 'export TWILIO_AUTH_TOKEN=… before starting, write ${TWILIO_AUTH_TOKEN:-default}, or remove the setting',
      },
    ]);
  });

  it('never echoes a value that came from the environment', () => {
    t.write('config/channels.yaml', smsBlock);
    const problems = problemsOf(t, { TWILIO_AUTH_TOKEN: 'tok-123456789', TWILIO_ACCOUNT_SID: 'super-secret-sid' });
    expect(problems).toEqual([
      expect.objectContaining({
        path: 'channels.sms.accountSid',
        message: 'the value from the environment is not valid here',
      }),
    ]);
    expect(JSON.stringify(problems)).not.toContain('super-secret');
  });

  it('reports a malformed reference', () => {
    const file = t.write('config/business.yaml', 'name: "${shop name}"\n');
    expect(problemsOf(t)).toEqual([
      expect.objectContaining({ file, line: 1, message: '`${shop name}` is not a valid environment reference' }),
    ]);
  });

  it('takes the admin token from TOUCHPOINT_ADMIN_TOKEN when router.yaml sets none', () => {
    expect(load(t).router.server.adminToken).toBeUndefined();
    const token = 'a-long-enough-admin-token';
    expect(load(t, { TOUCHPOINT_ADMIN_TOKEN: token }).router.server.adminToken).toBe(token);
    expect(problemsOf(t, { TOUCHPOINT_ADMIN_TOKEN: 'short' })).toEqual([
      expect.objectContaining({ file: 'environment variable TOUCHPOINT_ADMIN_TOKEN', path: 'server.adminToken' }),
    ]);
  });
});

describe('the holiday calendar file', () => {
  it('is read from the config folder', () => {
    t.write(
      'config/holidays.ics',
      [
        'BEGIN:VCALENDAR',
        'VERSION:2.0',
        'BEGIN:VEVENT',
        'DTSTART;VALUE=DATE:20260525',
        'SUMMARY:Spring bank holiday',
        'END:VEVENT',
        'END:VCALENDAR',
        '',
      ].join('\r\n'),
    );
    t.write('config/business.yaml', 'name: A\ntimezone: Europe/London\nholidayCalendar: holidays.ics\n');
    expect(load(t).business.holidayCalendar).toBe('holidays.ics');
  });

  it('is reported at its line when it does not exist', () => {
    const file = t.write('config/business.yaml', 'name: A\nholidayCalendar: missing.ics\n');
    expect(problemsOf(t)).toEqual([
      expect.objectContaining({
        file,
        line: 2,
        path: 'holidayCalendar',
        message: expect.stringMatching(/does not exist/),
      }),
    ]);
  });
});

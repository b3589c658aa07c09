// biome-ignore-all lint/suspicious/noThenProperty: flow steps have a `then` key

import { describe, expect, it, vi } from 'vitest';
import { createCalendar } from '../../src/calendar/calendar.ts';
import type { DecisionContext } from '../../src/decide/context.ts';
import { newDecision } from '../../src/decide/write-decision.ts';
import { storeAnswer } from '../../src/flow-language/answer-vars.ts';
import { holds, matchesExpected } from '../../src/flow-language/conditions.ts';
import { compileFlow } from '../../src/flow-language/flow-program.ts';
import { flattenInto, say } from '../../src/flow-language/flow-vars.ts';
import { detectLanguage } from '../../src/flow-language/language.ts';
import type { Contact, Conversation } from '../../src/model/types.ts';
import type { Condition } from '../../src/settings/condition-schema.ts';
import { flowFile } from '../../src/settings/flow-schema.ts';
import { businessFile, templatesFile } from '../../src/settings/schema.ts';
import { newConversation } from '../support/records.ts';
import { testSettings } from '../support/settings.ts';

const business = businessFile.parse({
  name: 'Crumb',
  timezone: 'Europe/London',
  hours: { tue: ['09:00-17:00'] },
  voice: { greeting: 'Hello {firstName|friend}', signOff: '— the {business} team' },
});
const settings = testSettings({
  business,
  templates: templatesFile.parse({
    templates: {
      hi: { text: '{greeting}! {signOff}', languages: { de: 'Hallo {name|}!' }, channels: { sms: 'Hi {firstName}' } },
      clock: 'Today is {today}, now {now}.',
      hours: 'Hours: {week_hours}. [[Open again {opening}.]]',
    },
  }).templates,
});
const calendar = createCalendar(business);
const tuesday10 = Date.UTC(2026, 2, 3, 10);
const clock = { now: tuesday10, timeZone: 'Europe/London', calendar };

const contact: Contact = {
  id: 'k1',
  name: 'Ada Lovelace',
  vip: true,
  language: null,
  timezone: null,
  optOuts: [],
  attributes: { tier: 'gold', visits: 12 },
  createdAt: 0,
};
function conversation(over: Partial<Conversation> = {}): Conversation {
  return {
    ...newConversation('k1', 'webchat', 't', { intent: 'pricing' }),
    id: 'c1',
    createdAt: 0,
    updatedAt: 0,
    ...over,
  };
}

const ctxAt = (now: number, conv = conversation(), who = contact): DecisionContext =>
  newDecision(settings, now, conv, who);
const check = (c: Condition, vars = {}, ctx = ctxAt(tuesday10), verified = false) =>
  holds(c, { ctx, vars, calendar, verified });

describe('conditions', () => {
  it('compares values: text ignoring case, numbers, lists, tests', () => {
    expect(matchesExpected('Yes', ' yes ', clock)).toBe(true);
    expect(matchesExpected(3, '3', clock)).toBe(true);
    expect(matchesExpected(['a', 'b'], 'B', clock)).toBe(true);
    expect(matchesExpected(null, '', clock)).toBe(true);
    expect(matchesExpected({ exists: false }, null, clock)).toBe(true);
    expect(matchesExpected({ matches: '^hsb-\\d+$' }, 'HSB-12', clock)).toBe(true);
    expect(matchesExpected({ above: 2, below: 5 }, 4, clock)).toBe(true);
    expect(matchesExpected({ below: 3 }, undefined, clock)).toBe(false);
  });

  it('compares dates with today, spans and business days', () => {
    // Tuesday 3 March; the test business opens on Tuesdays only
    expect(matchesExpected({ within: '3d' }, '2026-03-05', clock)).toBe(true);
    expect(matchesExpected({ within: '3d' }, '2026-03-06', clock)).toBe(false);
    expect(matchesExpected({ within: '3d' }, '2026-03-02', clock)).toBe(false);
    expect(matchesExpected({ before: 'today + 3d' }, '2026-03-05', clock)).toBe(true);
    expect(matchesExpected({ before: 'today + 3d' }, '2026-03-06', clock)).toBe(false);
    expect(matchesExpected({ after: 'today' }, '2026-03-03', clock)).toBe(false);
    expect(matchesExpected({ after: 'tomorrow - 1d' }, '2026-03-04', clock)).toBe(true);
    expect(matchesExpected({ within: '2 business days' }, '2026-03-16', clock)).toBe(true);
    expect(matchesExpected({ within: '2 business days' }, '2026-03-17', clock)).toBe(false);
    expect(matchesExpected({ before: '2026-03-10 + 1 business day' }, '2026-03-16', clock)).toBe(true);
    expect(matchesExpected({ within: '12h' }, '2026-03-03T20:00:00Z', clock)).toBe(true);
    expect(matchesExpected({ within: '12h' }, '2026-03-04T23:00:00Z', clock)).toBe(false);
    expect(matchesExpected({ within: '3d' }, 'next week', clock)).toBe(false);
    expect(matchesExpected({ within: '3d' }, null, clock)).toBe(false);
  });

  it('gives a date answer its distance in days and business days, and whether the business opens', () => {
    const vars: Record<string, string | number | boolean | null> = {};
    storeAnswer(ctxAt(tuesday10), vars, 'date', '2026-03-17', 'date');
    expect(vars).toMatchObject({
      date: '2026-03-17',
      'date.date': 'Tuesday 17 March',
      'date.daysAway': 14,
      'date.businessDaysAway': 2,
      'date.open': true,
    });
    storeAnswer(ctxAt(tuesday10), vars, 'date', '2026-03-05', 'date');
    expect(vars['date.open']).toBe(false);
  });

  it('reads intent, touchpoint, business hours, contact and variables; all keys must hold', () => {
    expect(check({ intent: ['pricing', 'hours'], channel: 'webchat', visibility: 'private' })).toBe(true);
    expect(check({ intent: 'hours' })).toBe(false);
    expect(check({ open: true })).toBe(true);
    expect(check({ open: true }, {}, ctxAt(Date.UTC(2026, 2, 2, 10)))).toBe(false);
    expect(check({ vip: true, contact: { tier: 'GOLD', visits: { above: 10 }, name: 'ada lovelace' } })).toBe(true);
    expect(check({ vars: { satisfied: 'yes' } }, { satisfied: 'yes' })).toBe(true);
    expect(check({ vars: { satisfied: 'yes' }, open: false }, { satisfied: 'yes' })).toBe(false);
    expect(check({ verified: true }, {}, ctxAt(tuesday10), true)).toBe(true);
    expect(check({ language: 'en' })).toBe(true);
  });

  it('combines with all, any and not', () => {
    expect(check({ any: [{ intent: 'hours' }, { open: true }] })).toBe(true);
    expect(check({ all: [{ intent: 'pricing' }, { not: { vip: true } }] })).toBe(false);
    expect(check({})).toBe(true);
  });
});

describe('compiling a flow', () => {
  it('turns if/else into branches and jumps, and goto into a jump to the step id', () => {
    const flow = flowFile.parse({
      id: 'f',
      trigger: { intents: ['x'] },
      steps: [
        { id: 'top', say: 'a' },
        { if: { open: true }, then: [{ say: 'b' }], else: [{ say: 'c' }, { goto: 'top' }] },
        { end: true },
      ],
    });
    const { program, problems } = compileFlow(flow);
    expect(problems).toEqual([]);
    expect(
      program.instrs.map((i) =>
        i.op === 'step'
          ? `${i.at}:${i.kind}`
          : i.op === 'branch'
            ? `${i.at}:if->${i.otherwise}`
            : `${i.at}:jump->${i.to}`,
      ),
    ).toEqual(['0:say', '1:if->4', '1.then.0:say', '1.then-end:jump->6', '1.else.0:say', '1.else.1:jump->0', '2:end']);
    expect(program.index.get('1.else.0')).toBe(4);
  });

  it('reports an unknown goto and a step id used twice', () => {
    const flow = flowFile.parse({
      id: 'f',
      trigger: { intents: ['x'] },
      steps: [{ id: 'a', say: 'x' }, { id: 'a', say: 'y' }, { goto: 'nowhere' }],
    });
    expect(compileFlow(flow).problems.map((p) => [p.path.join('.'), p.message])).toEqual([
      ['steps.1.id', 'step id `a` is used twice in this flow'],
      ['steps.2.goto', 'no step in this flow has the id `nowhere`'],
    ]);
  });
});

describe('templates in flows', () => {
  it('fill the brand voice, pick the contact language, then the channel', () => {
    const ctx = ctxAt(tuesday10);
    say(ctx, 'hi');
    expect(ctx.replies[0]?.text).toBe('Hello Ada! — the Crumb team');
    const sms = ctxAt(tuesday10, conversation({ touchpoint: { channel: 'sms', kind: 'sms', visibility: 'private' } }));
    say(sms, 'hi');
    expect(sms.replies[0]?.text).toBe('Hi Ada');
    const german = ctxAt(tuesday10, conversation(), { ...contact, language: 'de' });
    say(german, 'hi');
    expect(german.replies[0]?.text).toBe('Hallo Ada Lovelace!');
  });

  it('fill the clock and calendar variables a template names, and work none out for one that names none', () => {
    const ctx = ctxAt(tuesday10);
    say(ctx, 'clock');
    say(ctx, 'hours');
    expect(ctx.replies[0]?.text).toBe('Today is Tuesday 3 March, now Tuesday 3 March at 10:00.');
    // Open at 10:00 on a Tuesday: the week starts today, and there is no next opening to name.
    expect(ctx.replies[1]?.text).toMatch(/^Hours: today \(Tuesday\) 9:00–17:00; /);
    expect(ctx.replies[1]?.text).not.toContain('Open again');
    const formatters = vi.spyOn(Intl, 'DateTimeFormat');
    try {
      say(ctxAt(tuesday10), 'hi');
      expect(formatters).not.toHaveBeenCalled();
    } finally {
      formatters.mockRestore();
    }
  });

  it('flatten event data into dotted variables, with readable times in the business timezone', () => {
    const vars = {};
    flattenInto(
      vars,
      { booking: { startsAt: '2026-07-04T10:30:00Z', items: ['cake', 'bread'] }, day: '2026-07-05' },
      'event',
      { timeZone: 'Europe/London', language: 'en' },
    );
    expect(vars).toEqual({
      'event.booking.startsAt': '2026-07-04T10:30:00Z',
      'event.booking.startsAt.time': 'Saturday 4 July at 11:30',
      'event.booking.items': 'cake, bread',
      'event.booking.items.0': 'cake',
      'event.booking.items.1': 'bread',
      'event.day': '2026-07-05',
      'event.day.date': 'Sunday 5 July',
    });
  });
});

describe('language detection', () => {
  it('names a language only on clear evidence, among the candidates', () => {
    expect(detectLanguage('Wie viel kostet ein Brot bitte?', ['en', 'de', 'fr'])).toBe('de');
    expect(detectLanguage('Combien coûte le pain, et vous êtes ouvert quand ?', ['en', 'de', 'fr'])).toBe('fr');
    expect(detectLanguage('How much is the bread and when are you open?', ['en', 'de'])).toBe('en');
    expect(detectLanguage('Wie viel kostet ein Brot?', ['en', 'fr'])).toBeNull();
    expect(detectLanguage('ok', ['en', 'de'])).toBeNull();
  });
});

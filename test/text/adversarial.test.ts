import { describe, expect, it } from 'vitest';
import { activityEnvelope, messageActivity } from '../../adapters/botframework/activity.ts';
import { toEnvelope as discordEnvelope } from '../../adapters/discord/inbound/to-envelope.ts';
import { parseBounce, parseDeliveryStatus } from '../../adapters/email/inbound/bounce.ts';
import { autoReplyReasons } from '../../adapters/email/inbound/classify-mail.ts';
import { parseHeaderBlock } from '../../adapters/email/inbound/headers.ts';
import { parseMail } from '../../adapters/email/inbound/parse.ts';
import { stripQuoted } from '../../adapters/email/inbound/strip-quotes.ts';
import { idsIn } from '../../adapters/email/message-ids.ts';
import { createRuleClassifier } from '../../src/decide/classify.ts';
import { parseAnswer } from '../../src/flow-language/answers.ts';
import { detectLanguage } from '../../src/flow-language/language.ts';
import { createPersonalDataDetector } from '../../src/outbound/personal-data.ts';
import { createWordListSentiment } from '../../src/policies/sentiment.ts';
import type { AskStep } from '../../src/settings/flow-schema.ts';
import { createTextMatcher } from '../../src/text/text-match.ts';
import { exampleSettings } from '../flow-language/example.ts';

/**
 * Every detector, parser and classifier that reads customer text, on 1 MB
 * strings shaped to make a backtracking pattern rescan the text from every
 * position. Linear code takes tens of milliseconds here; a quadratic pattern
 * takes minutes, so the bound is generous and measured in this thread's CPU
 * time, which a busy machine does not inflate.
 */
const MB = 1_000_000;
const BOUND_MS = 1_000;

const LADDER = [1_000, 4_000, 16_000, 64_000, 256_000];

const fill = (unit: string) => unit.repeat(Math.ceil(MB / unit.length)).slice(0, MB);
const SHAPES: Record<string, string> = {
  letters: fill('x'),
  ats: fill('@'),
  dotted: fill('a.'),
  'local@': fill('a@'),
  digits: fill('1'),
  'spaced digits': fill('1 '),
  whitespace: fill(' \t\r\n'),
  newlines: fill('\n'),
  unicode: fill('🎂é\u0301ß'),
  'quote lines': fill(`${'> '.repeat(40)}x\n`),
  'nested quotes': fill('>'),
  keywords: fill('order cake today '),
  'mail header': fill('On Mon wrote '),
  brackets: fill('<at>{a|'),
  'padded lines': fill(`${' '.repeat(999)}x`),
  'keyword, then spaces': fill(`order${' '.repeat(3000)}!`),
};

function cpuMs(fn: () => unknown): { ms: number; result: unknown } {
  const start = process.threadCpuUsage();
  const result = fn();
  const used = process.threadCpuUsage(start);
  return { ms: (used.user + used.system) / 1000, result };
}

async function cpuMsAsync(fn: () => Promise<unknown>): Promise<{ ms: number; result: unknown }> {
  const start = process.threadCpuUsage();
  const result = await fn();
  const used = process.threadCpuUsage(start);
  return { ms: (used.user + used.system) / 1000, result };
}

const settings = exampleSettings();
const { handoff, triage } = settings.policies;
const detector = createPersonalDataDetector(handoff.guard);
const classifier = createRuleClassifier(settings.intents);
const urgency = createTextMatcher(triage.urgency ?? { keywords: [], patterns: [] });
const asksForData = createTextMatcher(handoff.asksForPersonalData);
const sentiment = createWordListSentiment(triage.sentiment);
const orderStep = settings.flows
  .flatMap((f) => JSON.stringify(f).match(/"pattern":"[^"]*"/g) ?? [])
  .map((p) => JSON.parse(`{${p}}`).pattern as string)
  .find((p) => p.includes('HSB'));
const ask = (expect: AskStep['expect'], pattern?: string): AskStep => ({
  template: 't',
  var: 'v',
  expect,
  retries: 0,
  onTimeout: 'end',
  onInvalid: 'end',
  fromMessage: false,
  whileHandedOff: 'agent',
  ...(pattern ? { pattern } : {}),
});
const NOW = Date.parse('2026-01-05T09:00:00Z');
const LONDON = { timeZone: 'Europe/London', language: 'en' };

/** Each subject, and what it must still find when a real value follows a megabyte of noise. */
interface Subject {
  name: string;
  run: (text: string) => unknown;
  /** What it makes of noise alone. */
  quiet?: (result: unknown, shape: string) => void;
  needle?: string;
  found?: (result: unknown) => void;
}

/** Shapes a real value is appended to: the value must still be found after a megabyte of them. */
const NEEDLE_SHAPES = ['letters', 'spaced digits', 'whitespace'];

const SUBJECTS: Subject[] = [
  {
    name: 'personal data detector',
    run: (t) => detector.find(t).map((f) => f.kind),
    // nineteen digits with spaces between them are a card number
    quiet: (r, shape) => expect(r).toEqual(shape === 'spaced digits' ? expect.arrayContaining(['account number']) : []),
    needle: ' write to ada@example.com or call +44 20 7946 0321, order HSB-20931',
    found: (r) => expect(r).toEqual(expect.arrayContaining(['email address', 'phone number', 'order number'])),
  },
  {
    name: 'intent classifier',
    run: (t) => classifier.classify(t).intent,
    quiet: (r) => expect(r).toBeNull(),
    needle: ' where is my order?',
    found: (r) => expect(r).toBe('order_status'),
  },
  { name: 'urgency matcher', run: (t) => urgency.score(t) },
  { name: 'asks-for-personal-data matcher', run: (t) => asksForData.score(t) },
  {
    name: 'sentiment',
    run: (t) => sentiment.score(t),
    needle: ' terrible',
    found: (r) => expect(r as number).toBeLessThan(0),
  },
  { name: 'language detection', run: (t) => detectLanguage(t, ['en', 'de', 'fr', 'es']) },
  {
    name: 'ask: email',
    run: (t) => parseAnswer(ask('email'), t, NOW, LONDON),
    needle: ' ada@example.com',
    found: (r) => expect(r).toEqual({ ok: true, value: 'ada@example.com' }),
  },
  {
    name: 'ask: phone',
    run: (t) => parseAnswer(ask('phone'), t, NOW, LONDON),
  },
  { name: 'ask: number', run: (t) => parseAnswer(ask('number'), t, NOW, LONDON) },
  { name: 'ask: date', run: (t) => parseAnswer(ask('date'), t, NOW, LONDON) },
  {
    name: 'ask: flow pattern',
    run: (t) => parseAnswer(ask('text', orderStep), t, NOW, LONDON),
    needle: ' HSB-20931',
    found: (r) => expect(r).toEqual({ ok: true, value: 'HSB-20931' }),
  },
  { name: 'email quote stripping', run: (t) => stripQuoted(t).length },
  { name: 'email header block', run: (t) => parseHeaderBlock(`From: ${t}\nSubject: ${t}\n`).length },
  { name: 'email auto-reply check', run: (t) => autoReplyReasons([{ name: 'return-path', value: t }], t) },
  { name: 'email message ids', run: (t) => idsIn(t).length },
  { name: 'delivery status', run: (t) => parseDeliveryStatus(t).length },
  {
    name: 'teams mentions',
    run: (t) =>
      activityEnvelope(
        messageActivity.parse({
          type: 'message',
          id: '1',
          channelId: 'msteams',
          serviceUrl: 'https://smba.trafficmanager.net/emea/',
          from: { id: 'u' },
          conversation: { id: 'c' },
          recipient: { id: 'b' },
          text: t,
        }),
        'botframework',
      ).text.length,
  },
  {
    name: 'discord mentions',
    run: (t) =>
      discordEnvelope(
        {
          id: '1',
          channelId: '2',
          guildId: null,
          place: { kind: 'dm' },
          author: { id: '3', username: 'u', displayName: null, bot: false },
          content: t,
          system: false,
          mentionedUserIds: [],
          reference: null,
          createdAt: NOW,
          attachments: [],
        },
        '9',
        { guilds: [], channels: [], mentions: true, mentionOnly: false, directMessages: true },
      ),
  },
];

describe('customer text of 1 MB in adversarial shapes', () => {
  for (const subject of SUBJECTS) {
    it(`${subject.name} stays linear`, () => {
      for (const [shape, text] of Object.entries(SHAPES)) {
        // Growing fourfold first: a pattern that backtracks fails on the first size past the bound, in seconds,
        // where a megabyte would hold the (uninterruptible) test for hours.
        for (const size of LADDER) {
          const { ms } = cpuMs(() => subject.run(text.slice(0, size)));
          expect(ms, `${subject.name} on ${size} characters of ${shape}`).toBeLessThan(BOUND_MS);
        }
        const { ms, result } = cpuMs(() => subject.run(text));
        expect(ms, `${subject.name} on ${shape}`).toBeLessThan(BOUND_MS);
        subject.quiet?.(result, shape);
      }
      if (subject.needle && subject.found) {
        for (const shape of NEEDLE_SHAPES) {
          const { ms, result } = cpuMs(() => subject.run(`${SHAPES[shape]}\n${subject.needle}`));
          expect(ms, `${subject.name} on ${shape} with a value after it`).toBeLessThan(BOUND_MS);
          subject.found(result);
        }
      }
    });
  }

  it('the MIME parser reads a megabyte of each shape in body and headers', async () => {
    for (const [shape, text] of Object.entries(SHAPES)) {
      // a header line cannot hold a line break: the shape's own breaks would end the header block
      const line = text.slice(0, 200_000).replace(/[\r\n]/g, ' ');
      const source = Buffer.from(
        `From: ${line} <ada@example.com>\r\nSubject: ${line}\r\n` +
          `Message-ID: <1@example.com>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${text}\r\n`,
      );
      const { ms, result } = await cpuMsAsync(() => parseMail(source, { maxAttachmentBytes: 1_000_000 }));
      expect(ms, `MIME parser on ${shape}`).toBeLessThan(BOUND_MS * 3);
      const mail = result as Awaited<ReturnType<typeof parseMail>>;
      expect(mail.messageId, shape).toBe('<1@example.com>');
      const bounce = cpuMs(() => parseBounce(mail));
      expect(bounce.ms, `bounce parser on ${shape}`).toBeLessThan(BOUND_MS);
      expect(bounce.result, shape).toBeNull();
    }
  });
});

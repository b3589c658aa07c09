import { describe, expect, it } from 'vitest';
import type { InboundFacts } from '../../../adapters/discord/inbound/facts.ts';
import { type Filters, toEnvelope } from '../../../adapters/discord/inbound/to-envelope.ts';
import { discordSettings } from '../../../adapters/discord/settings.ts';

const BOT = '900000000000000001';
const GUILD = '500000000000000001';
const HELP = '600000000000000001';
const OTHER = '600000000000000002';
const USER = '700000000000000001';

const facts = (over: Partial<InboundFacts> = {}): InboundFacts => ({
  id: '800000000000000001',
  channelId: HELP,
  guildId: GUILD,
  place: { kind: 'channel' },
  author: { id: USER, username: 'cora', displayName: 'Cora', bot: false },
  content: 'hello',
  system: false,
  mentionedUserIds: [],
  reference: null,
  createdAt: 1_700_000_000_000,
  attachments: [],
  ...over,
});

const filters = (over: Partial<Filters> = {}): Filters => ({
  guilds: [],
  channels: [HELP],
  mentions: true,
  mentionOnly: false,
  directMessages: true,
  ...over,
});

const skip = (f: InboundFacts, fl = filters()) => {
  const parsed = toEnvelope(f, BOT, fl);
  return 'skip' in parsed ? parsed.skip : null;
};
const envelope = (f: InboundFacts, fl = filters()) => {
  const parsed = toEnvelope(f, BOT, fl);
  if (!('envelope' in parsed)) throw new Error(`skipped: ${parsed.skip}`);
  return parsed.envelope;
};

describe('Discord message → envelope', () => {
  it('keeps a listed channel public, per person, answerable in place', () => {
    expect(envelope(facts())).toMatchObject({
      providerId: '800000000000000001',
      touchpoint: { kind: 'discord.channel', visibility: 'public' },
      threadKey: `discord:ch:${GUILD}:${HELP}:${USER}`,
      from: { kind: 'discord', value: USER, name: 'Cora' },
      replyRef: { channelId: HELP, messageId: '800000000000000001', guildId: GUILD },
      sentAt: 1_700_000_000_000,
    });
  });

  it('makes DMs private and keyed by the user', () => {
    const env = envelope(facts({ guildId: null, channelId: '650000000000000001', place: { kind: 'dm' } }));
    expect(env.touchpoint).toEqual({ channel: 'discord', kind: 'discord.dm', visibility: 'private' });
    expect(env.threadKey).toBe(`discord:dm:${USER}`);
    expect(skip(facts({ guildId: null, place: { kind: 'dm' } }), filters({ directMessages: false }))).toMatch(
      /turned off/,
    );
  });

  it('takes mentions elsewhere, without the mention, unless mentions are off', () => {
    const mention = facts({ channelId: OTHER, content: `<@!${BOT}>  open today?`, mentionedUserIds: [BOT] });
    expect(envelope(mention).text).toBe('open today?');
    expect(skip(mention, filters({ mentions: false }))).toMatch(/no mention/);
    expect(skip(facts({ channelId: OTHER }))).toMatch(/no mention/);
  });

  it('applies mention-only mode and the server allow-list', () => {
    expect(skip(facts(), filters({ mentionOnly: true }))).toMatch(/mention-only/);
    expect(envelope(facts({ mentionedUserIds: [BOT] }), filters({ mentionOnly: true })).text).toBe('hello');
    expect(skip(facts(), filters({ guilds: ['500000000000000009'] }))).toMatch(/allow-list/);
  });

  it('lists a channel’s threads with it and keys a thread as one conversation', () => {
    const env = envelope(facts({ channelId: '610000000000000001', place: { kind: 'thread', parentId: HELP } }));
    expect(env.threadKey).toBe(`discord:th:${GUILD}:${HELP}:610000000000000001`);
  });

  it('flags our own messages as echoes, in the thread of the person answered', () => {
    const env = envelope(
      facts({
        author: { id: BOT, username: 'bot', displayName: null, bot: true },
        channelId: OTHER,
        reference: { messageId: '800000000000000000', authorId: USER },
      }),
    );
    expect(env.flags).toEqual({ echo: true });
    expect(env.threadKey).toBe(`discord:ch:${GUILD}:${OTHER}:${USER}`);
  });

  it('ignores other bots, system messages and empty messages', () => {
    expect(skip(facts({ author: { id: USER, username: 'b', displayName: null, bot: true } }))).toMatch(/another bot/);
    expect(skip(facts({ system: true }))).toMatch(/system/);
    expect(skip(facts({ content: `<@${BOT}>`, mentionedUserIds: [BOT] }))).toMatch(/no text/);
  });

  it('links a reply to one of our messages to it', () => {
    const env = envelope(facts({ reference: { messageId: '800000000000000000', authorId: BOT } }));
    expect(env.inReplyTo).toEqual(['800000000000000000']);
    expect(envelope(facts({ reference: { messageId: '1', authorId: USER } })).inReplyTo).toBeUndefined();
  });
});

describe('Discord settings', () => {
  it('fills defaults and refuses bad ids and unknown keys', () => {
    const s = discordSettings.parse({ token: 't' });
    expect(s).toMatchObject({
      apiBaseUrl: 'https://discord.com/api',
      guilds: [],
      channels: [],
      mentions: true,
      mentionOnly: false,
    });
    expect(discordSettings.safeParse({ token: 't', channels: ['general'] }).success).toBe(false);
    expect(discordSettings.safeParse({ token: 't', apiBaseUrl: 'ftp://x' }).success).toBe(false);
    expect(discordSettings.safeParse({ token: 't', mentionsOnly: true }).success).toBe(false);
  });
});

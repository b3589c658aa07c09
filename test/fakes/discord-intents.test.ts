import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { FakeDiscord } from './discord/fake-discord.ts';
import { Intents } from './discord/intents.ts';
import type { FakeUser } from './discord/payloads.ts';
import { snowflake } from './discord/snowflake.ts';

/** The fake gateway applies intents as Discord does, seen by a bare WebSocket client. */
const TOKEN = 'intents-token';
const help = snowflake();
const guildId = snowflake();
const cora: FakeUser = { id: snowflake(), username: 'cora' };

interface Session {
  dispatches: Array<{ t: string; d: Record<string, unknown> }>;
  closed: Promise<{ code: number; reason: string }>;
  /** Resolves once a dispatch of type `t` has arrived. */
  next(t: string): Promise<Record<string, unknown>>;
  close(): void;
}

async function identify(discord: FakeDiscord, intents: unknown): Promise<Session> {
  const gateway = (await (
    await fetch(`${discord.apiBaseUrl}/v10/gateway/bot`, { headers: { authorization: `Bot ${TOKEN}` } })
  ).json()) as { url: string };
  const socket = new WebSocket(gateway.url);
  const dispatches: Session['dispatches'] = [];
  const waiters: Array<() => void> = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  socket.on('message', (raw) => {
    const p = JSON.parse(String(raw)) as { op: number; t?: string; d: Record<string, unknown> };
    if (p.op === 10) socket.send(JSON.stringify({ op: 2, d: { token: TOKEN, intents, properties: {} } }));
    if (p.op === 0 && p.t) dispatches.push({ t: p.t, d: p.d });
    for (const w of waiters.splice(0)) w();
  });
  const next = (t: string) =>
    new Promise<Record<string, unknown>>((resolve) => {
      const seen = dispatches.length;
      const look = () => {
        const hit = dispatches.slice(seen).find((x) => x.t === t) ?? null;
        if (hit) resolve(hit.d);
        else waiters.push(look);
      };
      look();
    });
  return { dispatches, closed, next, close: () => socket.close() };
}

describe('fake Discord gateway intents', () => {
  let discord: FakeDiscord;

  beforeAll(async () => {
    discord = await FakeDiscord.start({
      token: TOKEN,
      guilds: [{ id: guildId, name: 'Bakery', channels: [{ id: help, name: 'help' }], threads: [] }],
    });
  });
  afterAll(() => discord.stop());

  const connect = async (intents: number) => {
    const s = await identify(discord, intents);
    await s.next('READY');
    return s;
  };

  it('blanks the content of server messages without Message Content, but not of mentions or DMs', async () => {
    const s = await connect(Intents.guilds | Intents.guildMessages | Intents.directMessages);
    discord.say({ guildId, channelId: help, author: cora, content: 'rye bread?' });
    expect(await s.next('MESSAGE_CREATE')).toMatchObject({ content: '', embeds: [], attachments: [] });
    const mention = `<@${discord.bot.id}> open today?`;
    discord.say({ guildId, channelId: help, author: cora, content: mention, mentions: [discord.bot] });
    expect(await s.next('MESSAGE_CREATE')).toMatchObject({ content: mention });
    discord.dm(cora, 'a loaf please');
    expect(await s.next('MESSAGE_CREATE')).toMatchObject({ content: 'a loaf please' });
    s.close();
  });

  it('sends the content of server messages with Message Content', async () => {
    const s = await connect(Intents.guilds | Intents.guildMessages | Intents.messageContent);
    discord.say({ guildId, channelId: help, author: cora, content: 'rye bread?' });
    expect(await s.next('MESSAGE_CREATE')).toMatchObject({ content: 'rye bread?' });
    s.close();
  });

  it('sends no DMs without Direct Messages, and no server messages without Guild Messages', async () => {
    const dmsOnly = await connect(Intents.guilds | Intents.directMessages | Intents.messageContent);
    const guildOnly = await connect(Intents.guilds | Intents.guildMessages | Intents.messageContent);
    // One session at a time, as with one shard: the second connection replaced the first.
    await dmsOnly.closed;
    expect(discord.dm(cora, 'hello?')).toBeTruthy();
    discord.say({ guildId, channelId: help, author: cora, content: 'after the DM' });
    expect(await guildOnly.next('MESSAGE_CREATE')).toMatchObject({ content: 'after the DM' });
    expect(guildOnly.dispatches.filter((x) => x.t === 'MESSAGE_CREATE')).toHaveLength(1);
    guildOnly.close();

    const dms = await connect(Intents.guilds | Intents.directMessages | Intents.messageContent);
    discord.say({ guildId, channelId: help, author: cora, content: 'in the server' });
    discord.dm(cora, 'in private');
    expect(await dms.next('MESSAGE_CREATE')).toMatchObject({ content: 'in private' });
    expect(dms.dispatches.filter((x) => x.t === 'MESSAGE_CREATE')).toHaveLength(1);
    dms.close();
  });

  it('closes with 4013 on missing or unknown intents and 4014 on a privileged intent the app lacks', async () => {
    expect(await (await identify(discord, undefined)).closed).toEqual({ code: 4013, reason: 'Invalid intent(s).' });
    expect(await (await identify(discord, 1 << 30)).closed).toEqual({ code: 4013, reason: 'Invalid intent(s).' });
    const strict = await FakeDiscord.start({ token: TOKEN, privilegedIntents: 0 });
    try {
      const s = await identify(strict, Intents.guilds | Intents.messageContent);
      expect(await s.closed).toEqual({ code: 4014, reason: 'Disallowed intent(s).' });
    } finally {
      await strict.stop();
    }
  });
});

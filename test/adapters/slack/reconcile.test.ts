import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { slackDefinition } from '../../../adapters/slack/definition.ts';
import { slackSettings } from '../../../adapters/slack/settings.ts';
import type { ChannelAdapter, SendCheck } from '../../../src/channel/contract.ts';
import { systemClock } from '../../../src/clock.ts';
import { silentLogger } from '../../../src/log.ts';
import type { OutboundMessage } from '../../../src/model/types.ts';
import { FakeSlackApi } from '../../fakes/slack-api.ts';
import { outboundMessage } from '../../support/outbound.ts';

/**
 * Asking Slack, through the real @slack/web-api client against the fake, whether
 * a customer reply the router could not record was posted: each reply carries
 * its outbox id in its event metadata, looked up in the thread or the DM.
 */
const TOKEN = 'xoxb-test-token';
let slack: FakeSlackApi;
let adapter: ChannelAdapter;

beforeEach(async () => {
  slack = await FakeSlackApi.start({ token: TOKEN, intervalMs: 0, channels: ['D0CUSTOMER', 'C0PUBLIC', 'D0BUSY'] });
  const settings = slackSettings.parse({
    botToken: TOKEN,
    signingSecret: 'test-signing-secret',
    apiBaseUrl: slack.apiUrl,
  });
  adapter = await slackDefinition.create(settings, { log: silentLogger, clock: systemClock });
});

afterEach(async () => {
  await slack.stop();
});

const reply = (threadKey: string, o: Partial<OutboundMessage> = {}) =>
  outboundMessage(
    {
      channel: 'slack',
      touchpoint: { channel: 'slack', kind: 'slack.dm', visibility: 'private' },
      destination: 'x',
      text: 'Hi',
    },
    { threadKey, ...o },
  );

function check(m: OutboundMessage, since = Date.now() - 1_000): Promise<SendCheck> {
  if (!adapter.reconcile) throw new Error('the Slack adapter reconciles');
  return adapter.reconcile(m, { since, knownProviderIds: [] });
}

describe('reconciling an unconfirmed Slack reply', () => {
  it('posts every reply with its outbox id in the event metadata', async () => {
    const m = reply('dm:U0CUSTOMER', { replyRef: { channel: 'D0CUSTOMER' } });
    await adapter.send(m);
    expect(slack.posts[0]?.metadata).toEqual({ event_type: 'touchpoint_outbox', event_payload: { outbox_id: m.id } });
  });

  it('finds a reply in a channel thread by its metadata, and only that one', async () => {
    const thread = 'ch:C0PUBLIC:1767600000.000100';
    const mine = reply(thread, { text: 'Same words' });
    const other = reply(thread, { text: 'Same words' });
    const sent = await adapter.send(mine);
    expect(await check(mine)).toEqual({ state: 'sent', providerId: sent.providerId });
    expect(await check(other)).toEqual({ state: 'not-sent' });
    const calls = slack.callsOf('conversations.replies');
    expect(calls.at(-1)?.params).toMatchObject({ channel: 'C0PUBLIC', ts: '1767600000.000100' });
  });

  it('finds a DM reply in the conversation history, the DM opened again when the reference has none', async () => {
    const m = reply('dm:U0CUSTOMER');
    const sent = await adapter.send(m);
    expect(await check(m)).toEqual({ state: 'sent', providerId: sent.providerId });
    expect(slack.callsOf('conversations.history')).toHaveLength(1);
  });

  it('pages through a busy channel', async () => {
    const m = reply('dm:U0CUSTOMER', { replyRef: { channel: 'D0BUSY' } });
    const sent = await adapter.send(m);
    for (let i = 0; i < 250; i++) await adapter.send(reply('dm:U0CUSTOMER', { replyRef: { channel: 'D0BUSY' } }));
    expect(await check(m)).toEqual({ state: 'sent', providerId: sent.providerId });
    expect(slack.callsOf('conversations.history').length).toBe(2);
  });

  it('does not look before the attempt (less clock skew)', async () => {
    const m = reply('dm:U0CUSTOMER', { replyRef: { channel: 'D0CUSTOMER' } });
    await adapter.send(m);
    expect(await check(m, Date.now() + 5 * 60_000)).toEqual({ state: 'not-sent' });
  });

  it('throws a SendError when Slack cannot be asked now', async () => {
    await expect(check(reply('dm:U0CUSTOMER', { replyRef: { channel: '' } }))).rejects.toMatchObject({
      failure: 'permanent',
      providerCode: 'channel_not_found',
    });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION } from '../../adapters/slack/desk/header.ts';
import { deskFile } from '../../src/settings/desk-schema.ts';
import { noPolicies, triageFile } from '../../src/settings/policy-schema.ts';
import {
  AGENT,
  DESK,
  type DeskApp,
  startDeskApp,
  webchatHistory,
  webchatSays,
} from '../adapters/slack/support/desk-app.ts';
import { blockAction, nextTs } from '../adapters/slack/support/slack-requests.ts';
import type { SlackPost } from '../fakes/slack-api.ts';

const SENIOR = 'CSENIOR01';
const tiers = [{ name: 'L1' }, { name: 'L2', team: 'senior', when: { sentimentAtOrBelow: -3 } }];

/**
 * Tiers move the desk thread (desk.yaml `tiers`, the Slack desk's `routes` by team): an escalation
 * by sentiment opens a thread in the tier's desk channel with the card and a summary, closes the old
 * one with a pointer; replies in the old thread reach nobody; "De-escalate" moves it back.
 */
describe('Slack desk: a tier change moves the thread', () => {
  let d: DeskApp;
  let token: string;
  let first: SlackPost;
  let id: string;

  const roots = (channel: string) => d.slack.posts.filter((p) => p.channel === channel && p.threadTs === null);
  const inThread = (root: SlackPost, check: (text: string) => boolean) =>
    d.slack.until(() => d.slack.posts.find((p) => p.threadTs === root.ts && check(p.text)));
  const cardUpdate = (root: SlackPost, check: (blocks: string) => boolean) =>
    d.slack.until(() =>
      d.slack
        .callsOf('chat.update')
        .find((c) => c.params.ts === root.ts && c.params.channel === root.channel && check(String(c.params.blocks))),
    );
  const agentSays = (root: SlackPost, text: string, ts = nextTs()) =>
    d.send.event(
      { type: 'message', channel: root.channel, channel_type: 'channel', user: AGENT, text, ts, thread_ts: root.ts },
      { eventId: `Ev${ts.replace('.', '')}` },
    );
  const ephemeral = (check: (text: string) => boolean) =>
    d.slack.until(() =>
      d.slack.callsOf('chat.postEphemeral').find((c) => c.params.user === AGENT && check(String(c.params.text))),
    );
  const seen = async (text: string) => {
    await d.app.drain();
    return (await webchatHistory(d.app.url, token)).filter((t) => t.startsWith(text)).length;
  };

  beforeAll(async () => {
    d = await startDeskApp({
      channels: [SENIOR],
      settings: {
        policies: {
          ...noPolicies(),
          desk: deskFile.parse({ tiers }),
          triage: triageFile.parse({ sentiment: { words: { awful: -3, terrible: -3 } } }),
        },
      },
      slack: {
        desk: {
          defaultChannel: DESK,
          routes: [{ team: 'senior', deskChannel: SENIOR }],
          agents: [{ slackUser: AGENT, agent: 'maya', name: 'Maya' }],
        },
      },
    });
    token = await webchatSays(d.app.url, 'I want to talk to a person please');
    first = await d.slack.until(() => roots(DESK)[0]);
    const [c] = await d.app.store.listConversations({});
    id = c?.id ?? '';
  }, 30_000);
  afterAll(async () => {
    await d?.stop();
  });

  let senior: SlackPost;

  it('moves the thread to the tier’s desk channel when the customer turns negative, with the context', async () => {
    await webchatSays(d.app.url, 'this is awful, truly terrible', token);
    senior = await d.slack.until(() => roots(SENIOR)[0]);
    expect(JSON.stringify(senior.blocks)).toContain(ACTION.deescalate);

    const summary = await inThread(senior, (t) => t.includes('Moved here from'));
    expect(summary.text).toContain(`<#${DESK}>`);
    expect(summary.text).toContain('first tier → L2');
    expect(summary.text).toContain('Escalated to L2 (team senior): sentiment -6 ≤ -3');
    expect(summary.text).toContain('this is awful, truly terrible');
    expect(summary.text).toContain('I want to talk to a person please');

    const pointer = await inThread(first, (t) => t.includes('Moved to'));
    expect(pointer.text).toContain(`<#${SENIOR}>`);
    expect(pointer.text).toContain(`https://fake.slack.test/archives/${SENIOR}/p${senior.ts.replace('.', '')}`);
    const closed = await cardUpdate(first, (b) => b.includes('This card is closed'));
    expect(String(closed.params.blocks)).not.toContain('tp_controls');

    const audit = await waitFor(async () => {
      const entries = await d.app.store.listAudit({ conversationId: id, action: 'escalate.tier' });
      return entries.length > 0 ? entries : null;
    });
    expect(audit).toMatchObject([{ actorId: 'tiers', detail: { from: 'L1', to: 'L2' } }]);
    // the new thread mirrors nothing that came before the move again: the summary stands for it
    expect(d.slack.posts.filter((p) => p.threadTs === senior.ts).map((p) => p.text.split('\n')[0])).toEqual([
      expect.stringContaining('Moved here from'),
    ]);
  });

  it('takes agent replies from the new thread only: the old one answers with a pointer, the customer gets one reply', async () => {
    const old = await agentSays(first, 'Sorry about that, from the old thread');
    expect(old.status).toBe(200);
    const told = await ephemeral((t) => t.includes('Not sent to the customer'));
    expect(String(told.params.text)).toContain(`<#${SENIOR}>`);
    expect(told.params.thread_ts).toBe(first.ts);

    const ts = nextTs();
    expect((await agentSays(senior, 'Sorry about that, from the new thread', ts)).status).toBe(200);
    // Slack redelivers the same reply
    await agentSays(senior, 'Sorry about that, from the new thread', ts);
    expect(await waitFor(async () => (await seen('Sorry about that, from the new thread')) === 1)).toBe(true);
    expect(await seen('Sorry about that, from the old thread')).toBe(0);
  });

  it('refuses the old card’s controls with a pointer to the new thread', async () => {
    await d.send.interaction(blockAction(AGENT, DESK, first.ts, ACTION.assignMe, { value: id }));
    await ephemeral((t) => t.startsWith('Nothing was done') && t.includes(`<#${SENIOR}>`));
    expect((await d.app.store.getConversation(id))?.assignee).toBeNull();
  });

  it('moves it back to the first tier’s channel on "De-escalate", audited', async () => {
    await d.send.interaction(blockAction(AGENT, SENIOR, senior.ts, ACTION.deescalate, { value: id }));
    const back = await d.slack.until(() => roots(DESK)[1]);
    const summary = await inThread(back, (t) => t.includes('Moved here from'));
    expect(summary.text).toContain(`<#${SENIOR}>`);
    expect(summary.text).toContain('L2 → L1');
    expect(summary.text).toContain('De-escalated by maya');
    await inThread(senior, (t) => t.includes('Moved to') && t.includes(`<#${DESK}>`));
    await cardUpdate(senior, (b) => b.includes('This card is closed'));
    expect(JSON.stringify(back.blocks)).not.toContain(ACTION.deescalate);

    const c = await d.app.store.getConversation(id);
    expect(c?.flowState?.tier).toBe('L1');
    expect(c?.tags).not.toContain('escalated');
    const audit = await d.app.store.listAudit({ conversationId: id, action: 'deescalate' });
    expect(audit).toMatchObject([{ actorId: 'maya', via: 'slack', detail: { from: 'L2', to: 'L1' } }]);

    // replies go through the newest thread only
    await agentSays(senior, 'Reply in the senior thread after the move back');
    await ephemeral((t) => t.includes(`<#${DESK}>`) && t.startsWith('Not sent'));
    await agentSays(back, 'Back with the team');
    expect(await waitFor(async () => (await seen('Back with the team')) === 1)).toBe(true);
    expect(await seen('Reply in the senior thread')).toBe(0);
  });

  it('clears every thread the conversation had when the customer is erased, its old cards too', async () => {
    const back = roots(DESK)[1] as SlackPost;
    const c = await d.app.store.getConversation(id);
    const res = await fetch(`${d.app.url}/api/contacts/${c?.contactId}/erase`, {
      method: 'POST',
      headers: { authorization: `Bearer ${d.app.adminToken}` },
    });
    expect(res.status).toBe(200);
    const threads = [first, senior, back];
    await d.slack.until(() => threads.every((r) => !d.slack.posts.some((p) => p.threadTs === r.ts)) || undefined);
    for (const r of [first, senior]) await cardUpdate(r, (b) => b.includes('Unknown customer'));
    expect(JSON.stringify(d.slack.posts)).not.toContain('this is awful');
  });
});

/** Polls the router's own state (which the fake Slack does not see) for up to five seconds. */
async function waitFor<T>(check: () => Promise<T | null | false>): Promise<T | null | false> {
  for (let i = 0; i < 100; i++) {
    const v = await check();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  return null;
}

/** A move that fails half-way (Slack refuses the old thread's last message once) finishes on the next sync, nothing twice. */
describe('Slack desk: a tier move resumes where it stopped', () => {
  let d: DeskApp;
  afterAll(async () => {
    await d?.stop();
  });

  it('posts the new card and the summary once, and the old thread’s pointer once it goes through', async () => {
    d = await startDeskApp({
      channels: [SENIOR],
      settings: {
        policies: {
          ...noPolicies(),
          desk: deskFile.parse({ tiers }),
          triage: triageFile.parse({ sentiment: { words: { awful: -3, terrible: -3 } } }),
        },
      },
      slack: { desk: { defaultChannel: DESK, routes: [{ team: 'senior', deskChannel: SENIOR }] } },
    });
    const token = await webchatSays(d.app.url, 'I want to talk to a person please');
    const first = await d.slack.until(() => d.slack.posts.find((p) => p.channel === DESK && p.threadTs === null));
    // the customer's message and the bot's answer mirrored: the next post to the desk channel is the move's
    await d.slack.until(() => d.slack.posts.filter((p) => p.threadTs === first.ts).length >= 2);
    await d.app.drain();
    d.slack.failNext(DESK, 'internal_error');
    await webchatSays(d.app.url, 'this is awful, truly terrible', token);
    const pointer = await d.slack.until(() =>
      d.slack.posts.find((p) => p.threadTs === first.ts && p.text.includes('Moved to')),
    );
    await d.slack.until(() =>
      d.slack
        .callsOf('chat.update')
        .find((c) => c.params.ts === first.ts && String(c.params.blocks).includes('closed')),
    );
    const senior = d.slack.posts.filter((p) => p.channel === SENIOR && p.threadTs === null);
    expect(senior).toHaveLength(1);
    const inSenior = d.slack.posts.filter((p) => p.threadTs === senior[0]?.ts);
    expect(inSenior.filter((p) => p.text.includes('Moved here from'))).toHaveLength(1);
    expect(d.slack.posts.filter((p) => p.threadTs === first.ts && p.text.includes('Moved to'))).toEqual([pointer]);
    // the refused attempt was the pointer: Slack saw it twice, took it once
    const tries = d.slack.callsOf('chat.postMessage').filter((c) => String(c.params.text).includes('Moved to'));
    expect(tries).toHaveLength(2);
  }, 30_000);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION } from '../../adapters/slack/desk/header.ts';
import { CANNED_INPUT, VIEW } from '../../adapters/slack/desk/modals.ts';
import { noPolicies, slaFile } from '../../src/settings/policy-schema.ts';
import { templatesFile } from '../../src/settings/schema.ts';
import { AGENT, DESK, type DeskApp, STRANGER, startDeskApp } from '../adapters/slack/support/desk-app.ts';
import { blockAction, nextTs, viewSubmission } from '../adapters/slack/support/slack-requests.ts';
import type { SlackPost } from '../fakes/slack-api.ts';
import { testSettings } from '../support/settings.ts';

const LOBBY = 'CLOBBY001';
const CUSTOMER = 'UCUST0001';
const TOM = 'UAGENT002';
const HOUR = 3_600_000;

/** The date Slack shows a header field in: `<!date^{unix seconds}^…|…>`. */
const slackDateOf = (blocks: unknown, label: string): number | null => {
  const field = JSON.stringify(blocks).match(new RegExp(`\\*${label}\\*\\\\n<!date\\^(\\d+)\\^`));
  return field ? Number(field[1]) * 1000 : null;
};

/** The router with a public Slack channel for customers and every conversation on the desk; an SLA policy around the clock. */
function cardApp(scopes?: string[]): Parameters<typeof startDeskApp>[0] {
  const base = testSettings();
  return {
    ...(scopes ? { scopes } : {}),
    settings: {
      templates: {
        ...base.templates,
        ...templatesFile.parse({
          templates: {
            handoff_public: 'Thanks, we have sent you a private message.',
            handoff_invite: 'Please send us a direct message.',
            handoff_private: 'Hi, this is {business} following up on your message.',
          },
        }).templates,
      },
      policies: {
        ...noPolicies(),
        sla: slaFile.parse({
          policies: [{ name: 'standard', firstResponse: '1h', nextResponse: '2h', resolution: '8h', hours: 'always' }],
        }),
      },
    },
    slack: {
      customers: { enabled: true, publicChannels: true },
      desk: {
        defaultChannel: DESK,
        when: ['all'],
        agents: [
          { slackUser: AGENT, agent: 'maya', name: 'Maya' },
          { slackUser: TOM, agent: 'tom', name: 'Tom' },
        ],
        canned: [{ id: 'thanks', title: 'Thanks for waiting', text: 'Thank you for your patience.' }],
      },
    },
  };
}

async function customerAsks(d: DeskApp, text: string, ts = nextTs()) {
  const res = await d.send.event({
    type: 'message',
    channel: LOBBY,
    channel_type: 'channel',
    user: CUSTOMER,
    text,
    ts,
  });
  expect(res.status).toBe(200);
  return ts;
}

/**
 * The header card's buttons pressed as Slack sends them (block_actions through bolt's signed
 * receiver, against the fake Slack Web API): "Move to private" on a public Slack conversation,
 * the "Assign to…" users_select, the SLA-due field and its update, and a canned response from
 * its modal to the customer.
 */
describe('Slack desk header card', () => {
  let d: DeskApp;
  let header: SlackPost;
  let id: string;
  let askedTs: string;

  const conversation = async () => {
    const c = await d.app.store.getConversation(id);
    if (!c) throw new Error('conversation gone');
    return c;
  };
  const press = (actionId: string, extra: Record<string, unknown> = {}, user = AGENT) =>
    d.send.interaction(blockAction(user, DESK, header.ts, actionId, extra));
  const cardUpdate = (check: (blocks: string) => boolean) =>
    d.slack.until(() =>
      d.slack.callsOf('chat.update').find((c) => c.params.ts === header.ts && check(String(c.params.blocks))),
    );

  beforeAll(async () => {
    d = await startDeskApp(cardApp());
    askedTs = await customerAsks(d, 'Is my order ready?');
    header = await d.slack.until(() => d.slack.posts.find((p) => p.channel === DESK && p.threadTs === null));
    // the thread is the conversation's once its first message is mirrored into it
    await d.slack.until(() => d.slack.posts.find((p) => p.threadTs === header.ts));
    const [c] = await d.app.store.listConversations({ channel: 'slack' });
    id = c?.id ?? '';
  }, 30_000);
  afterAll(async () => {
    await d?.stop();
  });

  it('shows when the SLA is due: the first response, the resolution once answered, the next response when the customer writes again', async () => {
    const c = await conversation();
    expect(c.sla.firstResponseDue).toBe(c.createdAt + HOUR);
    expect(slackDateOf(header.blocks, 'SLA due')).toBe(Math.floor((c.createdAt + HOUR) / 1000) * 1000);

    const answered = await d.send.event({
      type: 'message',
      channel: DESK,
      channel_type: 'channel',
      user: AGENT,
      text: 'Let me check for you',
      ts: nextTs(),
      thread_ts: header.ts,
    });
    expect(answered.status).toBe(200);
    const answeredCard = await cardUpdate((b) => b.includes('*Status*\\npending'));
    const after = await conversation();
    expect(after.sla.firstRespondedAt).not.toBeNull();
    expect(slackDateOf(JSON.parse(String(answeredCard.params.blocks)), 'SLA due')).toBe(
      Math.floor((after.sla.resolutionDue ?? 0) / 1000) * 1000,
    );

    const again = await d.send.event({
      type: 'message',
      channel: LOBBY,
      channel_type: 'channel',
      user: CUSTOMER,
      text: 'Any news?',
      ts: nextTs(),
      thread_ts: askedTs,
    });
    expect(again.status).toBe(200);
    const update = await cardUpdate((b) => b.includes('*Status*\\nopen') && b !== String(answeredCard.params.blocks));
    const waiting = await conversation();
    expect(waiting.sla.nextResponseDue).toBeGreaterThan(after.sla.firstRespondedAt ?? 0);
    expect(waiting.sla.nextResponseDue).toBeLessThan(waiting.sla.resolutionDue ?? 0);
    expect(slackDateOf(JSON.parse(String(update.params.blocks)), 'SLA due')).toBe(
      Math.floor((waiting.sla.nextResponseDue ?? 0) / 1000) * 1000,
    );
  });

  it('assigns from the "Assign to…" picker, and refuses someone who is not an agent', async () => {
    const picked = (user: string) => ({ type: 'users_select', action_id: ACTION.assign, selected_user: user });
    expect((await press(ACTION.assign, picked(STRANGER))).status).toBe(200);
    const refused = await d.slack.until(() =>
      d.slack.callsOf('chat.postEphemeral').find((c) => String(c.params.text).includes('not a desk agent')),
    );
    expect(refused.params.user).toBe(AGENT);
    expect((await conversation()).assignee).toBeNull();

    expect((await press(ACTION.assign, picked(TOM))).status).toBe(200);
    await cardUpdate((b) => b.includes(`*Assignee*\\n<@${TOM}>`));
    expect((await conversation()).assignee).toBe('tom');
    const [entry] = await d.app.store.listAudit({ conversationId: id, action: 'assign' });
    expect(entry).toMatchObject({ actorId: 'maya', via: 'slack', detail: { assignee: 'tom' } });
  });

  it('sends a canned response picked in its modal, signed, once', async () => {
    expect((await press(ACTION.canned, { value: id })).status).toBe(200);
    const opened = await d.slack.until(() =>
      d.slack.callsOf('views.open').find((c) => String(c.params.view).includes(VIEW.canned)),
    );
    expect(String(opened.params.view)).toContain('"value":"thanks"');
    const none = await d.send.interaction(
      viewSubmission(AGENT, VIEW.canned, id, {
        [CANNED_INPUT.block]: { [CANNED_INPUT.action]: { type: 'static_select', selected_option: null } },
      }),
    );
    expect(await none.json()).toEqual({
      response_action: 'errors',
      errors: { [CANNED_INPUT.block]: 'Pick a response.' },
    });
    const sent = await d.send.interaction(
      viewSubmission(AGENT, VIEW.canned, id, {
        [CANNED_INPUT.block]: {
          [CANNED_INPUT.action]: { type: 'static_select', selected_option: { value: 'thanks' } },
        },
      }),
    );
    expect(sent.status).toBe(200);
    const reply = await d.slack.until(() =>
      d.slack.posts.find((p) => p.channel === LOBBY && p.text.startsWith('Thank you for your patience.')),
    );
    expect(reply.text).toBe('Thank you for your patience.\n\n— Maya');
    expect(reply.threadTs).toBe(askedTs);
    await d.app.drain();
    expect(d.slack.posts.filter((p) => p.text === reply.text)).toHaveLength(1);
  });

  it('moves the public conversation to a DM it opens on "Move to private"', async () => {
    expect(JSON.stringify(header.blocks)).toContain(ACTION.private);
    expect((await press(ACTION.private, { value: id })).status).toBe(200);
    const dm = await d.slack.until(() => d.slack.posts.find((p) => p.channel.startsWith('D')));
    expect(dm.text).toBe('Hi, this is Test Shop following up on your message.');
    expect(d.slack.callsOf('conversations.open').map((c) => c.params.users)).toEqual([CUSTOMER]);
    await d.slack.until(() =>
      d.slack.posts.find((p) => p.channel === LOBBY && p.text === 'Thanks, we have sent you a private message.'),
    );
    const moved = await conversation();
    expect(moved.tags).toContain('moved-to-private');
    const priv = moved.links.find((l) => l.rel === 'moved-to');
    expect((await d.app.store.getConversation(priv?.conversationId ?? ''))?.touchpoint.kind).toBe('slack.dm');
    // the card of a conversation moved to private offers the move no more
    await cardUpdate((b) => !b.includes(ACTION.private) && b.includes('*Status*\\nresolved'));
  });
});

/** Slack as Slack is: without the `im:write` scope the bot cannot open the DM, and the desk is told why, once. */
describe('Slack desk: "Move to private" with a token that lacks im:write', () => {
  let d: DeskApp;
  beforeAll(async () => {
    d = await startDeskApp(cardApp(['chat:write', 'channels:history', 'app_mentions:read']));
  }, 30_000);
  afterAll(async () => {
    await d?.stop();
  });

  it('fails the private message as not delivered, naming the missing scope, without retrying it', async () => {
    await customerAsks(d, 'Is my order ready?');
    const header = await d.slack.until(() => d.slack.posts.find((p) => p.channel === DESK && p.threadTs === null));
    await d.slack.until(() => d.slack.posts.find((p) => p.threadTs === header.ts));
    const [c] = await d.app.store.listConversations({ channel: 'slack' });
    await d.send.interaction(blockAction(AGENT, DESK, header.ts, ACTION.private, { value: c?.id }));
    const told = await d.slack.until(() =>
      // in the private conversation's own thread
      d.slack.posts.find((p) => p.channel === DESK && p.text.includes('Not delivered')),
    );
    expect(told.text).toContain('missing_scope');
    await d.app.drain();
    expect(d.slack.posts.filter((p) => p.channel.startsWith('D'))).toEqual([]);
    expect(d.slack.callsOf('conversations.open')).toHaveLength(1);
    const priv = (await d.app.store.listConversations({ channel: 'slack' })).find(
      (x) => x.touchpoint.kind === 'slack.dm',
    );
    const [sent] = await d.app.store.listMessages(priv?.id ?? '', {});
    expect(sent).toMatchObject({ status: 'failed', direction: 'outbound' });
    expect(sent?.error).toContain('missing_scope');
  });
});

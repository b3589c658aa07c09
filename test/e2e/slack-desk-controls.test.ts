import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION, SNOOZE_PICK } from '../../adapters/slack/desk/header.ts';
import { FLOW_INPUT, SNOOZE_INPUT, VIEW } from '../../adapters/slack/desk/modals.ts';
import {
  AGENT,
  DESK,
  type DeskApp,
  STRANGER,
  startDeskApp,
  webchatHistory,
  webchatSays,
} from '../adapters/slack/support/desk-app.ts';
import { blockAction, nextTs, viewSubmission } from '../adapters/slack/support/slack-requests.ts';
import type { SlackPost } from '../fakes/slack-api.ts';

const HOUR = 3_600_000;
const select = (actionId: string, value: string) => ({
  type: 'static_select',
  action_id: actionId,
  selected_option: { text: { type: 'plain_text', text: value }, value },
});

/**
 * The header card's work controls against the whole router: snooze (presets
 * and a picked time), priority, escalate, start a flow, resolve with the CSAT
 * survey; only mapped agents act.
 */
describe('Slack desk controls', () => {
  let d: DeskApp;
  let token: string;
  let header: SlackPost;
  let id: string;

  const conversation = async () => {
    const c = await d.app.store.getConversation(id);
    if (!c) throw new Error('conversation gone');
    return c;
  };
  const press = (actionId: string, extra: Record<string, unknown> = {}, user = AGENT) =>
    d.send.interaction(blockAction(user, DESK, header.ts, actionId, extra));
  const headerUpdate = (check: (blocks: string) => boolean) =>
    d.slack.until(() =>
      d.slack.callsOf('chat.update').find((c) => c.params.ts === header.ts && check(String(c.params.blocks))),
    );
  /** Greetings the web chat visitor received, once everything queued was sent. */
  const welcomes = async () => {
    await d.app.drain();
    return (await webchatHistory(d.app.url, token)).filter((t) => t.includes('welcome to Test Shop')).length;
  };

  beforeAll(async () => {
    d = await startDeskApp({
      slack: {
        desk: {
          defaultChannel: DESK,
          agents: [{ slackUser: AGENT, agent: 'maya', name: 'Maya' }],
          escalation: ['maya'],
          csatOnResolve: 'greet',
        },
      },
    });
    token = await webchatSays(d.app.url, 'I want to talk to a person please');
    header = await d.slack.until(() => d.slack.posts.find((p) => p.channel === DESK && p.threadTs === null));
    const [c] = await d.app.store.listConversations({});
    id = c?.id ?? '';
  }, 30_000);
  afterAll(async () => {
    await d?.stop();
  });

  it('shows snooze, priority, escalate and flow controls on the header card', () => {
    const blocks = JSON.stringify(header.blocks);
    for (const a of [ACTION.snooze, ACTION.priority, ACTION.escalate, ACTION.flow]) expect(blocks).toContain(a);
    expect(blocks).toContain('Until tomorrow’s opening');
  });

  it('refuses the controls to a Slack user who is not a mapped agent', async () => {
    expect((await press(ACTION.snooze, select(ACTION.snooze, '1h'), STRANGER)).status).toBe(200);
    await d.slack.until(() => d.slack.callsOf('chat.postEphemeral').find((c) => c.params.user === STRANGER));
    expect((await conversation()).status).not.toBe('snoozed');
  });

  it('snoozes for an hour from the menu, and shows it on the card', async () => {
    const before = Date.now();
    expect((await press(ACTION.snooze, select(ACTION.snooze, '1h'))).status).toBe(200);
    await headerUpdate((b) => b.includes('snoozed until'));
    const c = await conversation();
    expect(c.status).toBe('snoozed');
    const until = (c.flowState?.snooze as { until?: number } | undefined)?.until ?? 0;
    expect(until).toBeGreaterThanOrEqual(before + HOUR);
    expect(until).toBeLessThan(Date.now() + HOUR + 1);
  });

  it('snoozes until a picked time, and a customer message opens it again', async () => {
    await press(ACTION.snooze, select(ACTION.snooze, SNOOZE_PICK));
    const opened = await d.slack.until(() =>
      d.slack.callsOf('views.open').find((c) => String(c.params.view).includes('datetimepicker')),
    );
    expect(String(opened.params.view)).toContain(VIEW.snooze);
    const at = Math.floor(Date.now() / 1000) + 2 * 3600;
    const res = await d.send.interaction(
      viewSubmission(AGENT, VIEW.snooze, id, {
        [SNOOZE_INPUT.block]: { [SNOOZE_INPUT.action]: { type: 'datetimepicker', selected_date_time: at } },
      }),
    );
    expect(res.status).toBe(200);
    const snoozed = await waitFor(
      async () => ((await conversation()).flowState?.snooze as { until?: number })?.until === at * 1000,
    );
    expect(snoozed).toBe(true);

    await webchatSays(d.app.url, 'are you still there?', token);
    await d.app.drain();
    const c = await conversation();
    expect(c.status).toBe('open');
    expect(c.flowState?.snooze).toBeUndefined();
  });

  it('sets the priority from the menu', async () => {
    await press(ACTION.priority, select(ACTION.priority, 'urgent'));
    await headerUpdate((b) => b.includes('"initial_option":{"text":{"type":"plain_text","text":"urgent"}'));
    expect((await conversation()).priority).toBe('urgent');
  });

  it('escalates: the note in the thread calls in the escalation chain', async () => {
    await press(ACTION.escalate, { value: id });
    const post = await d.slack.until(() =>
      d.slack.posts.find((p) => p.threadTs === header.ts && p.text.includes('Escalated by maya')),
    );
    expect(post.text).toContain(`<@${AGENT}>`);
    const c = await conversation();
    expect(c.tags).toContain('escalated');
    expect(c.priority).toBe('urgent');
  });

  it('starts a flow picked in a searchable modal', async () => {
    await press(ACTION.flow, { value: id });
    const opened = await d.slack.until(() =>
      d.slack.callsOf('views.open').find((c) => String(c.params.view).includes(VIEW.flow)),
    );
    expect(String(opened.params.view)).toContain('"value":"greet"');
    const unknown = await d.send.interaction(
      viewSubmission(AGENT, VIEW.flow, id, {
        [FLOW_INPUT.block]: { [FLOW_INPUT.action]: { type: 'static_select', selected_option: { value: 'nope' } } },
      }),
    );
    expect(await unknown.json()).toEqual({ response_action: 'errors', errors: { [FLOW_INPUT.block]: 'Pick a flow.' } });
    const picked = await d.send.interaction(
      viewSubmission(AGENT, VIEW.flow, id, {
        [FLOW_INPUT.block]: { [FLOW_INPUT.action]: { type: 'static_select', selected_option: { value: 'greet' } } },
      }),
    );
    expect(picked.status).toBe(200);
    expect(await waitFor(async () => (await welcomes()) === 1)).toBe(true);
  });

  it('sends the CSAT flow when an agent resolves', async () => {
    await press(ACTION.resolve, { value: id });
    expect(await waitFor(async () => (await conversation()).status === 'resolved')).toBe(true);
    expect(await waitFor(async () => (await welcomes()) === 2)).toBe(true);
  });
});

/** Slack as the customer channel: a failed send is retried, and the desk thread says so. */
describe('Slack desk delivery notices', () => {
  let d: DeskApp;
  const DM = 'DCUST0009';

  beforeAll(async () => {
    d = await startDeskApp({
      backoffBase: '100ms',
      slack: { customers: { enabled: true }, desk: { defaultChannel: DESK, when: ['all'] } },
    });
  }, 30_000);
  afterAll(async () => {
    await d?.stop();
  });

  it('posts "delivery retried" in the thread, then the reply goes out once', async () => {
    d.slack.failNext(DM, 'internal_error');
    const res = await d.send.event({
      type: 'message',
      channel: DM,
      channel_type: 'im',
      user: 'UCUST0009',
      text: 'How much is a loaf?',
      ts: nextTs(),
    });
    expect(res.status).toBe(200);
    const retry = await d.slack.until(() =>
      d.slack.posts.find((p) => p.channel === DESK && p.text.includes('Delivery retried')),
    );
    expect(retry.text).toContain('internal_error');
    expect(retry.text).toContain('A loaf is £4.');
    await d.slack.until(() => d.slack.posts.find((p) => p.channel === DM));
    expect(d.slack.posts.filter((p) => p.channel === DM).map((p) => p.text)).toEqual(['A loaf is £4.']);
  }, 30_000);
});

/** Polls a condition about the router's own state (which the fake does not see) for up to five seconds. */
async function waitFor(check: () => Promise<boolean>): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

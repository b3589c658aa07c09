import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUG_INPUT, BUG_SHORTCUT, BUG_VIEW } from '../../adapters/slack/desk/bug.ts';
import { ACTION } from '../../adapters/slack/desk/header.ts';
import {
  AGENT,
  DESK,
  type DeskApp,
  startDeskApp,
  webchatHistory,
  webchatSays,
} from '../adapters/slack/support/desk-app.ts';
import { blockAction, viewSubmission } from '../adapters/slack/support/slack-requests.ts';
import { type FakeTracker, startFakeGitHub } from '../fakes/bug-trackers.ts';
import type { SlackPost } from '../fakes/slack-api.ts';
import { testSettings } from '../support/settings.ts';

const HOOK_SECRET = 'github-hook-secret-0123456789';
const FIXED = 'Fixed: {bugTitle}. Thanks for telling us!';
const ISSUE_1 = 'https://github.com/harbour/shop/issues/1';

/** The modal's state as Slack submits it. */
function values(o: { title?: string; severity?: string; steps?: string; link?: string }) {
  const text = (v: string | undefined) => ({ type: 'plain_text_input', value: v ?? null });
  return {
    [BUG_INPUT.title.block]: { [BUG_INPUT.title.action]: text(o.title) },
    [BUG_INPUT.severity.block]: {
      [BUG_INPUT.severity.action]: { type: 'static_select', selected_option: { value: o.severity ?? 'normal' } },
    },
    [BUG_INPUT.steps.block]: { [BUG_INPUT.steps.action]: text(o.steps) },
    [BUG_INPUT.link.block]: { [BUG_INPUT.link.action]: text(o.link) },
  };
}

/**
 * "Log a bug" from the Slack desk, through real Bolt against the fake Slack
 * Web API and the fake GitHub Issues API: the header card's button, the modal,
 * the issue created with what the agent wrote, the link on the header card,
 * a second conversation linked to the same bug, a tracker's refusal shown to
 * the agent with nothing kept, and the signed `issues` webhook telling each
 * customer once.
 */
describe('Log a bug from the Slack desk', () => {
  let d: DeskApp;
  let gh: FakeTracker;
  const visitors: Array<{ token: string; id: string; header: SlackPost }> = [];

  /** A web chat visitor asking for a person: their conversation and its header card. */
  async function visitor(text: string) {
    const before = d.slack.posts.filter((p) => p.channel === DESK && p.threadTs === null).length;
    const token = await webchatSays(d.app.url, text);
    const header = await d.slack.until(
      () => d.slack.posts.filter((p) => p.channel === DESK && p.threadTs === null)[before],
    );
    const id = /Conversation (\S+) ·/.exec(JSON.stringify(header.blocks))?.[1] ?? '';
    return { token, id, header };
  }
  /** The header card as Slack shows it now: the last chat.update of its ts, else the post. */
  const card = (header: SlackPost) =>
    JSON.stringify(
      d.slack
        .callsOf('chat.update')
        .filter((c) => c.params.ts === header.ts)
        .at(-1)?.params.blocks ?? header.blocks,
    );
  const ephemerals = () => d.slack.callsOf('chat.postEphemeral').map((c) => String(c.params.text));
  const submit = (id: string, v: Parameters<typeof values>[0]) =>
    d.send.interaction(viewSubmission(AGENT, BUG_VIEW, id, values(v)));
  const hook = (payload: unknown, secret = HOOK_SECRET) => {
    const raw = JSON.stringify(payload);
    return fetch(`${d.app.url}/webhooks/github`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'issues',
        'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`,
      },
      body: raw,
    });
  };

  beforeAll(async () => {
    gh = await startFakeGitHub({ repo: 'harbour/shop', token: 'ghp_test' });
    d = await startDeskApp({
      settings: { templates: { ...testSettings().templates, bug_fixed: { text: FIXED } } },
      router: {
        bugTracker: {
          kind: 'github',
          baseUrl: gh.url,
          project: 'harbour/shop',
          token: 'ghp_test',
          webhookSecret: HOOK_SECRET,
        },
      },
    });
    visitors.push(await visitor('I want to talk to a person please, checkout is broken'));
  }, 30_000);
  afterAll(async () => {
    await d?.stop();
    await gh?.close();
  });

  it('offers "Log a bug" on the header card and opens the modal', async () => {
    const [a] = visitors;
    expect(card(a!.header)).toContain(ACTION.bug);
    await d.send.interaction(blockAction(AGENT, DESK, a!.header.ts, ACTION.bug, { value: a!.id }));
    const opened = await d.slack.until(() =>
      d.slack.callsOf('views.open').find((c) => String(c.params.view).includes(BUG_VIEW)),
    );
    const view = JSON.parse(String(opened.params.view)) as { private_metadata: string };
    expect(view.private_metadata).toBe(a!.id);
    expect(String(opened.params.view)).toContain('Steps to reproduce');
  });

  it('opens the same modal from the message shortcut on a message in the thread', async () => {
    const [a] = visitors;
    const opens = d.slack.callsOf('views.open').length;
    await d.send.interaction({
      type: 'message_action',
      callback_id: BUG_SHORTCUT,
      trigger_id: 'trigger-bug',
      user: { id: AGENT },
      channel: { id: DESK },
      message: { type: 'message', ts: '1.000001', thread_ts: a!.header.ts, text: 'checkout is broken' },
    });
    const opened = await d.slack.until(() => d.slack.callsOf('views.open').slice(opens)[0]);
    expect(JSON.parse(String(opened.params.view))).toMatchObject({ callback_id: BUG_VIEW, private_metadata: a!.id });
  });

  it('refuses a submission with neither a title nor a bug to link, or with both, on the modal', async () => {
    const [a] = visitors;
    const none = (await (await submit(a!.id, {})).json()) as { errors: Record<string, string> };
    expect(none.errors[BUG_INPUT.title.block]).toMatch(/title/);
    const both = (await (await submit(a!.id, { title: 'x', link: '1' })).json()) as { errors: Record<string, string> };
    expect(both.errors[BUG_INPUT.link.block]).toMatch(/not both/);
    expect(gh.issues).toHaveLength(0);
  });

  it('creates the issue with title, severity and steps, and shows its link on the header card; audited from Slack', async () => {
    const [a] = visitors;
    const res = await submit(a!.id, {
      title: 'Checkout fails on Safari',
      severity: 'high',
      steps: '1. open the shop in Safari\n2. pay',
    });
    expect(res.status).toBe(200);
    await d.slack.until(() => gh.issues[0]);
    expect(gh.issues[0]).toMatchObject({ key: '1', title: 'Checkout fails on Safari' });
    expect(gh.issues[0]?.body).toContain('**Severity:** high');
    expect(gh.issues[0]?.body).toContain('1. open the shop in Safari\n2. pay');
    expect(gh.issues[0]?.fields.labels).toEqual(['bug', 'severity:high']);
    await d.slack.until(() => card(a!.header).includes(`<${ISSUE_1}|github #1>`) || undefined);
    expect(card(a!.header)).toContain('*Bug*');
    await d.slack.until(() => ephemerals().find((t) => t.startsWith('Logged <')));
    expect(await d.app.store.bugs.ofConversation(a!.id)).toMatchObject([{ key: '1', url: ISSUE_1 }]);
    expect(await d.app.store.listAudit({ action: 'bug.log' })).toMatchObject([
      { actorId: 'maya', via: 'slack', conversationId: a!.id },
    ]);
  });

  it('links a second conversation to the same bug by its URL; no second issue', async () => {
    const b = await visitor('I need a person, I cannot pay');
    visitors.push(b);
    await submit(b.id, { link: `${ISSUE_1}#issuecomment-1` });
    await d.slack.until(() => card(b.header).includes(`<${ISSUE_1}|github #1>`) || undefined);
    expect(gh.issues).toHaveLength(1);
    expect(await d.app.store.listAudit({ action: 'bug.link' })).toMatchObject([
      { actorId: 'maya', via: 'slack', conversationId: b.id },
    ]);
  });

  it('links to an issue filed in the tracker by hand, by its number', async () => {
    const [, b] = visitors;
    gh.issues.push({ key: '50', title: 'Receipts come late', body: '', closed: false, fields: {} });
    await submit(b!.id, { link: '#50' });
    await d.slack.until(() => card(b!.header).includes('github #50') || undefined);
    expect(card(b!.header)).toContain('Receipts come late');
    expect((await d.app.store.bugs.ofConversation(b!.id)).map((x) => x.key).sort()).toEqual(['1', '50']);
  });

  it('tells the agent when the tracker refuses, and keeps nothing', async () => {
    const [a] = visitors;
    const notes = async () => (await d.app.store.listMessages(a!.id, { includeInternal: true })).length;
    const before = { notes: await notes(), audit: (await d.app.store.listAudit({})).length };
    gh.failNext.push(503);
    await submit(a!.id, { title: 'Basket empties itself', steps: 'add, wait' });
    const said = await d.slack.until(() => ephemerals().find((t) => t.startsWith('The bug was not logged')));
    expect(said).toMatch(/the bug tracker answered 503/);
    const call = d.slack.callsOf('chat.postEphemeral').find((c) => c.params.text === said);
    expect(call?.params).toMatchObject({ channel: DESK, user: AGENT, thread_ts: a!.header.ts });
    await submit(a!.id, { link: '404' });
    await d.slack.until(() =>
      ephemerals().find((t) => t.startsWith('The bug was not linked: the bug tracker has no such issue')),
    );
    expect(gh.issues).toHaveLength(2);
    expect(await d.app.store.bugs.ofConversation(a!.id)).toHaveLength(1);
    expect(await d.app.store.bugs.byKey('github', '404')).toBeNull();
    expect(await notes()).toBe(before.notes);
    expect(await d.app.store.listAudit({})).toHaveLength(before.audit);
  });

  it('tells each linked customer once when GitHub says the issue is closed; a forged webhook is refused', async () => {
    const closed = { action: 'closed', issue: { number: 1 }, repository: { full_name: 'harbour/shop' } };
    expect((await hook(closed, 'a-forged-secret-0123456789')).status).toBe(401);
    await d.app.drain();
    for (const v of visitors)
      expect((await webchatHistory(d.app.url, v.token)).filter((t) => t.startsWith('Fixed'))).toEqual([]);

    expect(await (await hook(closed)).json()).toEqual({ told: 2 });
    expect(await (await hook(closed)).json()).toEqual({ told: 0 });
    await d.app.drain();
    for (const v of visitors) {
      expect((await webchatHistory(d.app.url, v.token)).filter((t) => t.startsWith('Fixed'))).toEqual([
        'Fixed: Checkout fails on Safari. Thanks for telling us!',
      ]);
      await d.slack.until(() => card(v.header).includes('· fixed') || undefined);
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION } from '../../adapters/slack/desk/header.ts';
import { RESOLVE_INPUT, VIEW } from '../../adapters/slack/desk/modals.ts';
import { deskFile } from '../../src/settings/desk-schema.ts';
import { noPolicies } from '../../src/settings/policy-schema.ts';
import { intentsFile } from '../../src/settings/schema.ts';
import { AGENT, DESK, type DeskApp, startDeskApp, webchatSays } from '../adapters/slack/support/desk-app.ts';
import { blockAction, viewSubmission } from '../adapters/slack/support/slack-requests.ts';
import type { SlackPost } from '../fakes/slack-api.ts';

const pick = (code: string | null, note?: string) => ({
  [RESOLVE_INPUT.block]: {
    [RESOLVE_INPUT.action]: { type: 'static_select', selected_option: code === null ? null : { value: code } },
  },
  [RESOLVE_INPUT.noteBlock]: { [RESOLVE_INPUT.noteAction]: { type: 'plain_text_input', value: note ?? null } },
});

/**
 * Resolving with a disposition (desk.yaml), through real Bolt against the
 * fake Slack API and through the agents' API: the code is asked for in a
 * modal, required for the categories config names, stored and reported.
 */
describe('resolution disposition', () => {
  let d: DeskApp;
  let header: SlackPost;
  let id: string;

  const conversation = async () => {
    const c = await d.app.store.getConversation(id);
    if (!c) throw new Error('conversation gone');
    return c;
  };
  const api = (path: string, body: unknown) =>
    fetch(`${d.app.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${d.app.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    d = await startDeskApp({
      settings: {
        intents: intentsFile.parse({
          intents: { human: { keywords: ['person'], category: 'billing', priority: 'high' } },
        }).intents,
        policies: {
          ...noPolicies(),
          desk: deskFile.parse({
            resolution: { dispositions: { refunded: 'Refund issued', solved: 'Solved' }, requiredFor: ['billing'] },
          }),
        },
      },
    });
    await webchatSays(d.app.url, 'I want to talk to a person please');
    header = await d.slack.until(() => d.slack.posts.find((p) => p.channel === DESK && p.threadTs === null));
    const [c] = await d.app.store.listConversations({});
    id = c?.id ?? '';
  }, 30_000);
  afterAll(async () => {
    await d?.stop();
  });

  it('opens a modal listing the dispositions when Resolve is pressed', async () => {
    expect((await conversation()).category).toBe('billing');
    await d.send.interaction(blockAction(AGENT, DESK, header.ts, ACTION.resolve, { value: id }));
    const opened = await d.slack.until(() =>
      d.slack.callsOf('views.open').find((c) => String(c.params.view).includes(VIEW.resolve)),
    );
    const view = String(opened.params.view);
    expect(view).toContain('"value":"refunded"');
    expect(view).toContain('Refund issued');
    expect((await conversation()).status).not.toBe('resolved');
  });

  it('refuses to resolve a billing conversation without a disposition, on the modal', async () => {
    const res = await d.send.interaction(viewSubmission(AGENT, VIEW.resolve, id, pick(null)));
    const body = (await res.json()) as { response_action: string; errors: Record<string, string> };
    expect(body.response_action).toBe('errors');
    expect(body.errors[RESOLVE_INPUT.block]).toMatch(/category "billing" need a disposition/);
    expect((await conversation()).status).not.toBe('resolved');
  });

  it('refuses the same through the API: 422 without a code, 400 for an unknown one', async () => {
    const missing = await api(`/api/conversations/${id}/resolve`, { by: 'maya' });
    expect(missing.status).toBe(422);
    expect(await missing.json()).toMatchObject({ error: 'disposition_required' });
    const unknown = await api(`/api/conversations/${id}/resolve`, { by: 'maya', disposition: 'lost' });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { reason: string }).reason).toMatch(/"lost" is not one of refunded, solved/);
    expect((await conversation()).status).not.toBe('resolved');
  });

  it('resolves with the picked code and note: stored, noted in the thread, audited', async () => {
    const res = await d.send.interaction(viewSubmission(AGENT, VIEW.resolve, id, pick('refunded', 'Paid back £4')));
    expect(res.status).toBe(200);
    expect((await conversation()).status).toBe('resolved');
    const stored = await d.app.store.resolutionsBetween(0, Date.now() + 1);
    expect(stored).toMatchObject([{ conversationId: id, code: 'refunded', agent: 'maya', category: 'billing' }]);
    const notes = await d.app.store.listMessages(id, { includeInternal: true });
    expect(notes.map((m) => m.text)).toContain('Resolved by maya: Refund issued. Paid back £4');
    const audit = await d.app.store.listAudit({ conversationId: id, action: 'resolve' });
    expect(audit[0]?.detail).toMatchObject({ disposition: 'refunded' });
    expect(JSON.stringify(audit)).not.toContain('Paid back');
  });
});

/** Assignment by the rules of desk.yaml, as the desk sees it: the header card names the agent. */
describe('assignment on the desk', () => {
  let d: DeskApp;
  const allWeek = Object.fromEntries(
    ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => [day, ['00:00-24:00']]),
  );

  beforeAll(async () => {
    d = await startDeskApp({
      settings: {
        policies: {
          ...noPolicies(),
          desk: deskFile.parse({ assignment: { agents: { maya: { name: 'Maya', shifts: allWeek } } } }),
        },
      },
    });
  }, 30_000);
  afterAll(async () => {
    await d?.stop();
  });

  it('assigns a handed-off conversation to the agent on shift and shows them on the header card', async () => {
    await webchatSays(d.app.url, 'I want to talk to a person please');
    const header = await d.slack.until(() => d.slack.posts.find((p) => p.channel === DESK && p.threadTs === null));
    await d.slack.until(() =>
      [header, ...d.slack.callsOf('chat.update').map((c) => ({ blocks: c.params.blocks }))].find((b) =>
        JSON.stringify(b.blocks).includes(`<@${AGENT}>`),
      ),
    );
    const [c] = await d.app.store.listConversations({});
    expect(c?.assignee).toBe('maya');
    const audit = await d.app.store.listAudit({ action: 'assign' });
    expect(audit).toMatchObject([{ actorId: 'assignment', detail: { assignee: 'maya' } }]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRISIS_INPUT, CRISIS_SHORTCUT, CRISIS_VIEW } from '../../adapters/slack/desk/crisis.ts';
import { createAgent } from '../../src/access/agents.ts';
import { BOOTSTRAP_ADMIN } from '../../src/access/principal.ts';
import { crisisFile } from '../../src/settings/operations-schema.ts';
import { noPolicies } from '../../src/settings/policy-schema.ts';
import { templatesFile } from '../../src/settings/schema.ts';
import { AGENT, DESK, type DeskApp, STRANGER, startDeskApp, webchatSays } from '../adapters/slack/support/desk-app.ts';
import { nextTs, viewSubmission } from '../adapters/slack/support/slack-requests.ts';

/** A Slack user mapped to an agent whose account is not an admin. */
const PLAIN_AGENT = 'UAGENT002';
const OUTAGE = 'Our card machines are down: we are sorting it out and will reply as soon as we can.';

/** A global shortcut as Slack sends it (the fake issues its trigger_id). */
const shortcut = (user: string) => ({
  type: 'shortcut',
  callback_id: CRISIS_SHORTCUT,
  action_ts: nextTs(),
  user: { id: user, username: user.toLowerCase(), team_id: 'T0000001' },
  trigger_id: 'issued-by-the-fake',
});

/**
 * The crisis switch from the Slack desk, through bolt against the fake Slack
 * Web API with Slack's own payloads: an admin switches it on with a chosen
 * statement (audited, banner posted, the statement sent to a customer); an
 * agent who is not an admin, and a Slack user who is no agent, are refused
 * with why, in a message only they see.
 */
describe('Slack desk: the crisis switch for admins', () => {
  let d: DeskApp;

  const ephemeralsTo = (user: string) => d.slack.callsOf('chat.postEphemeral').filter((c) => c.params.user === user);
  const opened = () => d.slack.callsOf('views.open');
  type View = { callback_id: string; private_metadata: string; blocks: unknown[] };
  /** The client sends a view as JSON text in the form. */
  const viewOf = (call: { params: Record<string, unknown> }): View =>
    (typeof call.params.view === 'string' ? JSON.parse(call.params.view) : call.params.view) as View;

  beforeAll(async () => {
    d = await startDeskApp({
      slack: {
        desk: {
          defaultChannel: DESK,
          agents: [
            { slackUser: AGENT, agent: 'maya', name: 'Maya' },
            { slackUser: PLAIN_AGENT, agent: 'sam', name: 'Sam' },
          ],
        },
      },
      settings: {
        policies: { ...noPolicies(), crisis: crisisFile.parse({ desk: { channel: 'slack', to: DESK } }) },
        templates: templatesFile.parse({
          templates: {
            crisis_holding: 'We are dealing with an urgent situation and will reply soon.',
            crisis_holding_outage: OUTAGE,
            crisis_public: 'Please send us a direct message.',
          },
        }).templates,
      },
    });
    await createAgent(d.app.store, { id: 'maya', name: 'Maya', role: 'admin', slackUser: AGENT }, BOOTSTRAP_ADMIN, 0);
    await createAgent(
      d.app.store,
      { id: 'sam', name: 'Sam', role: 'agent', slackUser: PLAIN_AGENT },
      BOOTSTRAP_ADMIN,
      0,
    );
  }, 30_000);
  afterAll(async () => {
    await d?.stop();
  });

  it('refuses an agent who is not an admin, saying why, and opens nothing', async () => {
    const views = opened().length;
    await d.send.interaction(shortcut(PLAIN_AGENT));
    const refusal = await d.slack.until(() => ephemeralsTo(PLAIN_AGENT).at(-1));
    expect(refusal.params.channel).toBe(DESK);
    expect(String(refusal.params.text)).toMatch(/only admins can switch crisis mode, and Sam is an agent/);
    expect(opened()).toHaveLength(views);
    // the core holds the line too: a submitted view from a non-admin switches nothing
    await d.send.interaction(viewSubmission(PLAIN_AGENT, CRISIS_VIEW, 'on', {}));
    expect(await d.app.store.activeCrisis()).toBeNull();
  });

  it('refuses a Slack user who is no agent', async () => {
    await d.send.interaction(shortcut(STRANGER));
    const refusal = await d.slack.until(() => ephemeralsTo(STRANGER).at(-1));
    expect(String(refusal.params.text)).toMatch(/Only agents listed in the desk/);
    expect(await d.app.store.activeCrisis()).toBeNull();
  });

  it('lets an admin switch it on with the statement they chose: audited, banner posted, customers get it', async () => {
    await d.send.interaction(shortcut(AGENT));
    const open = await d.slack.until(() => opened().at(-1));
    const view = viewOf(open);
    expect(view.callback_id).toBe(CRISIS_VIEW);
    expect(view.private_metadata).toBe('on');
    const shown = JSON.stringify(view.blocks);
    expect(shown).toContain('"value":"crisis_holding"');
    expect(shown).toContain('"value":"crisis_holding_outage"');

    await d.send.interaction(
      viewSubmission(AGENT, CRISIS_VIEW, view.private_metadata, {
        [CRISIS_INPUT.statement.block]: {
          [CRISIS_INPUT.statement.action]: {
            type: 'static_select',
            selected_option: {
              text: { type: 'plain_text', text: 'Our card machines…' },
              value: 'crisis_holding_outage',
            },
          },
        },
        [CRISIS_INPUT.reason.block]: {
          [CRISIS_INPUT.reason.action]: { type: 'plain_text_input', value: 'card machines down' },
        },
      }),
    );
    const crisis = await d.app.store.activeCrisis();
    expect(crisis).toMatchObject({
      startedBy: 'Maya',
      reason: 'card machines down',
      statement: 'crisis_holding_outage',
    });
    const [entry] = await d.app.store.listAudit({ action: 'crisis.on' });
    expect(entry).toMatchObject({ actorId: 'maya', actorRole: 'admin', via: 'slack' });
    expect(entry?.detail).toMatchObject({ crisis: crisis?.id, statement: 'crisis_holding_outage' });

    const banner = await d.slack.until(() =>
      d.slack.posts.find((p) => p.channel === DESK && p.text.includes('Crisis mode is ON')),
    );
    expect(banner.text).toContain('switched by Maya');
    const told = await d.slack.until(() =>
      ephemeralsTo(AGENT).find((c) => String(c.params.text).startsWith('Crisis mode is on')),
    );
    expect(told.params.channel).toBe(DESK);

    // a customer who writes now gets the chosen statement
    await webchatSays(d.app.url, 'hello, is my order ready?');
    await d.app.drain();
    const [conversation] = await d.app.store.listConversations({});
    const messages = await d.app.store.listMessages(conversation?.id ?? '', {});
    expect(messages.map((m) => m.text)).toContain(OUTAGE);
  });

  it('lets the admin switch it off again from the same shortcut', async () => {
    await d.send.interaction(shortcut(AGENT));
    const open = await d.slack.until(() => opened().find((c) => viewOf(c).private_metadata === 'off'));
    expect(JSON.stringify(viewOf(open).blocks)).toContain('switched on by Maya');
    await d.send.interaction(viewSubmission(AGENT, CRISIS_VIEW, 'off', {}));
    expect(await d.app.store.activeCrisis()).toBeNull();
    expect(await d.app.store.listAudit({ action: 'crisis.off' })).toHaveLength(1);
  });
});

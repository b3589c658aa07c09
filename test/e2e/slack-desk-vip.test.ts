import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactsFile } from '../../src/settings/contacts-schema.ts';
import { DESK, type DeskApp, startDeskApp, webchatSays } from '../adapters/slack/support/desk-app.ts';

const VIP_DESK = 'CVIPDESK1';
const SENIOR = 'USENIOR01';

/**
 * VIP on the Slack desk (real Bolt and web-api against the fake Slack API):
 * a VIP customer's conversation gets a thread even before a handoff, in the
 * VIP desk channel, with a VIP badge on the header card; an escalation calls
 * in the senior staff of `vipEscalation`. Others stay on the default route.
 */
describe('Slack desk for VIP customers', () => {
  let d: DeskApp;

  beforeAll(async () => {
    d = await startDeskApp({
      channels: [VIP_DESK],
      slack: {
        desk: {
          defaultChannel: DESK,
          when: ['handoff', 'vip'],
          routes: [{ vip: true, deskChannel: VIP_DESK }],
          agents: [
            { slackUser: 'UAGENT001', agent: 'maya', name: 'Maya' },
            { slackUser: SENIOR, agent: 'lead', name: 'Lee' },
          ],
          vipEscalation: ['lead'],
        },
      },
      settings: { contacts: contactsFile.parse({ vip: { tags: ['vip'] } }) },
    });
  }, 30_000);
  afterAll(async () => {
    await d?.stop();
  });

  const api = (path: string, body: unknown) =>
    fetch(`${d.app.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${d.app.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const headers = (channel: string) =>
    d.slack.posts.filter((p) => p.channel === channel && p.threadTs === null && p.blocks);

  it('threads a VIP customer in the VIP channel with a badge, and calls senior staff on escalation', async () => {
    const token = await webchatSays(d.app.url, 'hello');
    await d.app.drain();
    expect(headers(VIP_DESK)).toHaveLength(0);
    const [conversation] = await d.app.store.listConversations({});
    const id = conversation?.id as string;
    expect((await api(`/api/contacts/${conversation?.contactId}/tags`, { add: ['vip'] })).status).toBe(200);

    await webchatSays(d.app.url, 'are you open tomorrow?', token);
    const header = await d.slack.until(() => headers(VIP_DESK)[0]);
    expect(header.text).toContain('(VIP)');
    expect(JSON.stringify(header.blocks)).toContain(':star: *VIP*');
    expect(headers(DESK)).toHaveLength(0);

    expect((await api(`/api/conversations/${id}/escalate`, { by: 'maya' })).status).toBeLessThan(300);
    const note = await d.slack.until(() =>
      d.slack.posts.find((p) => p.threadTs === header.ts && p.text.includes('Escalated by')),
    );
    expect(note.text).toContain(`<@${SENIOR}>`);
  });

  it('keeps other customers on the default route, without a badge, until they ask for a person', async () => {
    const token = await webchatSays(d.app.url, 'hello');
    await d.app.drain();
    const before = headers(DESK).length;
    await webchatSays(d.app.url, 'I want to talk to a person please', token);
    const header = await d.slack.until(() => headers(DESK)[before]);
    expect(JSON.stringify(header.blocks)).not.toContain('VIP');
    expect(headers(VIP_DESK)).toHaveLength(1);
  });
});

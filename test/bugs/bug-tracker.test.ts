import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { inbound, OUR_SMS, startTwilioApp, type TwilioApp } from '../e2e/twilio-app.ts';
import { type FakeTracker, startFakeGitHub, startFakeRedmine } from '../fakes/bug-trackers.ts';

const more = { templates: { bug_fixed: 'Fixed: {bugTitle}. Thanks for telling us!' }, flows: [] };
const HOOK_SECRET = 'github-hook-secret-0123456789';

async function conversationFor(t: TwilioApp, customer: string, text: string): Promise<string> {
  expect((await t.post('/twilio/sms', inbound({ from: customer, body: text }))).status).toBe(200);
  await t.app.drain();
  const c = (await t.app.store.listConversations({ channel: 'sms' })).find(
    (x) => x.threadKey === `${OUR_SMS}/${customer}`,
  );
  return c?.id as string;
}

const smsTo = (t: TwilioApp, customer: string) =>
  t.api.messages.filter((m) => m.to === customer).map((m) => m.body ?? '');

describe('bug tracker: GitHub Issues (fake GitHub API, signed issues webhook)', () => {
  let t: TwilioApp;
  let gh: FakeTracker;

  beforeAll(async () => {
    gh = await startFakeGitHub({ repo: 'harbour/shop', token: 'ghp_test' });
    t = await startTwilioApp({
      more,
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
  });
  afterAll(async () => {
    await t?.stop();
    await gh?.close();
  });

  const hook = (payload: unknown, secret = HOOK_SECRET, event = 'issues') => {
    const raw = JSON.stringify(payload);
    const sig = `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
    return fetch(`${t.app.url}/webhooks/github`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-github-event': event, 'x-hub-signature-256': sig },
      body: raw,
    });
  };

  it('logs a bug as a GitHub issue, links a second conversation, and tells each customer once when it is closed', async () => {
    const a = await conversationFor(t, '+14155550301', 'The order page shows an error');
    const b = await conversationFor(t, '+14155550302', 'I cannot pay on the website');
    const logged = await t.admin('POST', `/api/conversations/${a}/bugs`, {
      title: 'Checkout fails on Safari',
      severity: 'high',
      steps: '1. open the shop in Safari\n2. pay',
    });
    expect(logged.status).toBe(201);
    expect(logged.body).toMatchObject({ tracker: 'github', key: '1', url: 'https://github.com/harbour/shop/issues/1' });
    expect(gh.issues[0]).toMatchObject({ title: 'Checkout fails on Safari' });
    expect(gh.issues[0]?.body).toContain('open the shop in Safari');
    expect(gh.issues[0]?.fields.labels).toEqual(['bug', 'severity:high']);

    expect((await t.admin('POST', `/api/conversations/${b}/bugs/${(logged.body as { id: string }).id}`)).status).toBe(
      200,
    );
    expect(((await t.admin('GET', `/api/conversations/${b}/bugs`)).body as { bugs: unknown[] }).bugs).toHaveLength(1);
    const notes = async (id: string) =>
      (await t.app.store.listMessages(id, { includeInternal: true }))
        .filter((m) => m.visibility === 'internal')
        .map((m) => m.text);
    expect(await notes(a)).toEqual([expect.stringMatching(/^Bug logged: github #1 "Checkout fails on Safari"/)]);

    const closed = {
      action: 'closed',
      issue: { number: 1, state: 'closed' },
      repository: { full_name: 'harbour/shop' },
    };
    // A forged webhook is refused and tells no one.
    expect((await hook(closed, 'not-the-secret-at-all-000')).status).toBe(401);
    const unsigned = await fetch(`${t.app.url}/webhooks/github`, {
      method: 'POST',
      headers: { 'x-github-event': 'issues' },
      body: JSON.stringify(closed),
    });
    expect(unsigned.status).toBe(401);
    await t.app.drain();
    expect(smsTo(t, '+14155550301').filter((x) => x.startsWith('Fixed'))).toEqual([]);

    const res = await hook(closed);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ told: 2 });
    // GitHub redelivers: nobody is told twice.
    expect(await (await hook(closed)).json()).toEqual({ told: 0 });
    await t.app.drain();
    for (const customer of ['+14155550301', '+14155550302']) {
      expect(smsTo(t, customer).filter((x) => x.startsWith('Fixed'))).toEqual([
        'Fixed: Checkout fails on Safari. Thanks for telling us!',
      ]);
    }
    expect((await notes(b)).at(-1)).toMatch(/^Bug github #1 is fixed .*the customer was sent "bug_fixed"/);
  });

  it('answers other events and actions 202 without telling anyone, and a bad body 400', async () => {
    expect((await hook({ zen: 'hi' }, HOOK_SECRET, 'ping')).status).toBe(202);
    expect((await hook({ action: 'opened', issue: { number: 1 } })).status).toBe(202);
    expect((await hook({ action: 'closed' })).status).toBe(400);
  });
});

describe('bug tracker: Redmine (fake Redmine API, polled on a durable timer)', () => {
  let t: TwilioApp;
  let redmine: FakeTracker;

  beforeAll(async () => {
    redmine = await startFakeRedmine({ project: 'shop', key: 'redmine-key' });
    t = await startTwilioApp({
      more,
      router: {
        bugTracker: { kind: 'redmine', baseUrl: redmine.url, project: 'shop', token: 'redmine-key', pollEvery: '5m' },
      },
    });
  });
  afterAll(async () => {
    await t?.stop();
    await redmine?.close();
  });

  it('creates the issue, and once a poll finds it closed tells the customer once', async () => {
    const a = await conversationFor(t, '+14155550401', 'The receipt email never came');
    const logged = await t.admin('POST', `/api/conversations/${a}/bugs`, {
      title: 'Receipts not sent',
      steps: 'buy anything',
    });
    expect(logged.status).toBe(201);
    expect(logged.body).toMatchObject({ tracker: 'redmine', key: '101', url: `${redmine.url}/issues/101` });
    expect(redmine.issues[0]?.fields).toMatchObject({ project_id: 'shop', subject: 'Receipts not sent' });

    const fixedSms = () => smsTo(t, '+14155550401').filter((x) => x.startsWith('Fixed'));
    t.clock.advance(5 * 60_000);
    await new Promise((r) => setTimeout(r, 300));
    await t.app.drain();
    expect(fixedSms()).toEqual([]);

    (redmine.issues[0] as { closed: boolean }).closed = true;
    t.clock.advance(5 * 60_000);
    await vi.waitFor(
      async () => {
        await t.app.drain();
        expect(fixedSms()).toEqual(['Fixed: Receipts not sent. Thanks for telling us!']);
      },
      { timeout: 5_000, interval: 100 },
    );
    t.clock.advance(5 * 60_000);
    await new Promise((r) => setTimeout(r, 300));
    await t.app.drain();
    expect(fixedSms()).toHaveLength(1);
  });
});

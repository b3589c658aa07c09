import { afterEach, describe, expect, it } from 'vitest';
import { startCustomerSlack } from './support/customer-slack.ts';
import { nextTs } from './support/slack-requests.ts';

type Slack = Awaited<ReturnType<typeof startCustomerSlack>>;

const message = (over: Record<string, unknown> = {}) => ({
  type: 'message',
  channel: 'D0000CUST',
  channel_type: 'im',
  user: 'U0000CUST',
  text: 'hello',
  ts: nextTs(),
  ...over,
});

/** Signed requests Slack would retry on any answer but 2xx: what cannot be read is kept and answered 200. */
describe('Slack requests that are signed but cannot be read', () => {
  let s: Slack;
  afterEach(() => s?.close());

  it('stores the text of a message whose files are not a list', async () => {
    s = await startCustomerSlack();
    const res = await s.send.event(message({ text: 'see attached', files: 'nope' }));
    expect(res.status).toBe(200);
    expect(s.stored().map((e) => [e.text, e.attachments])).toEqual([['see attached', []]]);
    expect(s.unreadable).toEqual([]);
  });

  it.each([
    ['an event_callback without an event', { type: 'event_callback', event_id: 'Ev1', team_id: 'T1' }],
    ['an event without a type', { type: 'event_callback', event_id: 'Ev2', event: { text: 'x' } }],
    ['a message whose text is not text', { type: 'event_callback', event_id: 'Ev3', event: message({ text: 42 }) }],
    [
      'a message whose channel is a number',
      { type: 'event_callback', event_id: 'Ev4', event: message({ channel: 7 }) },
    ],
    ['no team anywhere', { type: 'event_callback', event_id: 'Ev5', event: message({ user: { id: 'U1' } }) }],
  ])('keeps %s and answers 200', async (_name, body) => {
    s = await startCustomerSlack();
    const res = await s.send.raw(JSON.stringify(body), 'application/json');
    expect(res.status).toBe(200);
    expect(s.unreadable).toEqual([{ reason: expect.any(String), payload: JSON.stringify(body) }]);
    expect(s.stored()).toEqual([]);
  });

  it('keeps a body that is not JSON, or of a type Slack does not send', async () => {
    s = await startCustomerSlack();
    expect((await s.send.raw('{"type":', 'application/json')).status).toBe(200);
    expect((await s.send.raw('<xml/>', 'text/xml')).status).toBe(200);
    expect(s.unreadable.map((u) => u.reason)).toEqual([
      expect.stringMatching(/^the body is not valid JSON/),
      'unsupported content type text/xml: Slack sends JSON or form data',
    ]);
  });

  it('answers 500 when the store is down, so Slack delivers the event again', async () => {
    s = await startCustomerSlack();
    s.control.failIngest = true;
    expect((await s.send.event(message())).status).toBe(500);
    expect((await s.send.raw('{"type":', 'application/json')).status).toBe(500);
    s.control.failIngest = false;
    expect(s.unreadable).toEqual([]);
  });

  it('keeps nothing that is not signed', async () => {
    s = await startCustomerSlack();
    const res = await fetch(s.url, {
      method: 'POST',
      body: '{"type":',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(401);
    expect(s.unreadable).toEqual([]);
  });
});

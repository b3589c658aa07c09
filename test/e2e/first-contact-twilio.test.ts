import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { flowFile } from '../../src/settings/flow-schema.ts';
import { templatesFile } from '../../src/settings/schema.ts';
import { cli } from '../cli/helpers.ts';
import { inbound, OUR_SMS, OUR_WA, startTwilioApp, type TwilioApp } from './twilio-app.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ANA = '+14155550201';
const NEW_CUSTOMER = '+14155550333';
const CONTENT_SID = 'HX0123456789abcdef0123456789abcdef';

/**
 * Business events reach customers on SMS and WhatsApp through the real twilio
 * client against the fake Twilio API: a follow-up outside WhatsApp's 24 hours
 * goes as the approved template (ContentSid + ContentVariables), inside as
 * free text; SMS is written first only with recorded consent.
 */
describe('first contact and follow-ups on WhatsApp and SMS', () => {
  let t: TwilioApp;

  beforeAll(async () => {
    t = await startTwilioApp({
      more: {
        templates: templatesFile.parse({
          templates: {
            follow_up: {
              text: 'Hi {name|there}, how was your {event.product|order}?',
              whatsapp: { contentSid: CONTENT_SID, variables: { '1': '{name|there}', '2': '{event.product|order}' } },
            },
            shipped: 'Your {event.product|order} is on its way.',
          },
        }).templates,
        flows: [
          flowFile.parse(
            parse(
              'id: after-sales\ntrigger: { events: [purchase.completed] }\nsteps: [{ wait: 3d }, { say: follow_up }]',
            ),
          ),
          flowFile.parse(
            parse('id: shipped\ntrigger: { events: [order.shipped] }\nsteps: [{ wait: 1h }, { say: follow_up }]'),
          ),
        ],
      },
    });
  });
  afterAll(async () => {
    await t?.stop();
  });

  const to = (n: string, channel: 'sms' | 'whatsapp') =>
    t.api.messages.filter((m) => m.to === (channel === 'whatsapp' ? `whatsapp:${n}` : n));
  const eventually = async (check: () => boolean) => {
    for (let i = 0; i < 100 && !check(); i++) {
      await t.app.drain();
      await new Promise((r) => setTimeout(r, 30));
    }
  };
  const advance = async (ms: number) => {
    t.clock.advance(ms);
    await t.app.drain();
  };

  it('sends the follow-up three days after a WhatsApp chat as the approved template', async () => {
    await t.post(
      '/twilio/whatsapp',
      inbound({
        from: `whatsapp:${ANA}`,
        to: `whatsapp:${OUR_WA}`,
        body: 'How much is a loaf?',
        extra: { ProfileName: 'Ana' },
      }),
    );
    await t.app.drain();
    expect(to(ANA, 'whatsapp')).toHaveLength(1);
    const event = await t.admin('POST', '/api/events', {
      type: 'purchase.completed',
      phone: ANA,
      data: { product: 'cake' },
    });
    expect(event).toMatchObject({ status: 200, body: { started: ['after-sales'] } });
    await advance(3 * DAY);
    await eventually(() => to(ANA, 'whatsapp').length > 1);
    const followUp = to(ANA, 'whatsapp').at(-1);
    expect(followUp).toMatchObject({ from: `whatsapp:${OUR_WA}`, contentSid: CONTENT_SID, body: null });
    expect(JSON.parse(followUp?.contentVariables ?? '{}')).toEqual({ '1': 'Ana', '2': 'cake' });
  });

  it('sends it as free text inside the 24 hours', async () => {
    await t.post('/twilio/whatsapp', inbound({ from: `whatsapp:${ANA}`, to: `whatsapp:${OUR_WA}`, body: 'Thanks!' }));
    await t.app.drain();
    const before = to(ANA, 'whatsapp').length;
    const event = await t.admin('POST', '/api/events', { type: 'order.shipped', phone: ANA, data: { product: 'bun' } });
    expect(event.status).toBe(200);
    await advance(HOUR);
    await eventually(() => to(ANA, 'whatsapp').length > before);
    expect(to(ANA, 'whatsapp').at(-1)).toMatchObject({ body: 'Hi Ana, how was your bun?', contentSid: null });
  });

  it('refuses to text first without recorded consent, saying why; with it, the follow-up goes by SMS', async () => {
    const refused = await t.admin('POST', '/api/events', {
      type: 'purchase.completed',
      phone: NEW_CUSTOMER,
      name: 'Nia',
      data: { product: 'tart' },
    });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: 'unreachable' });
    const reason = (refused.body as { reason: string }).reason;
    expect(reason).toContain('sms: no recorded consent to write first on sms');
    expect(reason).toContain('whatsapp: no recorded consent');
    // refused as a whole: no contact was kept
    expect((await t.app.store.listContacts({ search: NEW_CUSTOMER, limit: 5 })).length).toBe(0);

    const agreed = await t.admin('POST', '/api/events', {
      type: 'purchase.completed',
      phone: NEW_CUSTOMER,
      name: 'Nia',
      consent: ['sms'],
      data: { product: 'tart' },
    });
    expect(agreed).toMatchObject({ status: 200, body: { started: ['after-sales'] } });
    const contactId = (agreed.body as { contactId: string }).contactId;
    const [conversation] = await t.app.store.findConversationsOfContact(contactId);
    expect(conversation?.touchpoint.channel).toBe('sms');
    const history = await t.app.store.contactHistory(contactId);
    expect(history).toMatchObject([{ kind: 'consent', channel: 'sms', on: true, source: 'event purchase.completed' }]);
    await advance(3 * DAY);
    await eventually(() => to(NEW_CUSTOMER, 'sms').length > 0);
    expect(to(NEW_CUSTOMER, 'sms')).toMatchObject([{ from: OUR_SMS, body: 'Hi Nia, how was your tart?' }]);
  });

  it('records consent and opt-outs in the contact history, shown by contacts show', async () => {
    for (const body of ['STOP', 'START']) {
      await t.post('/twilio/sms', inbound({ from: NEW_CUSTOMER, to: OUR_SMS, body }));
      await t.app.drain();
    }
    const [contact] = await t.app.store.listContacts({ search: NEW_CUSTOMER, limit: 1 });
    const shown = await cli(['contacts', 'show', contact?.id as string, '--data', t.dir]);
    expect(shown.code).toBe(0);
    const lines = shown.stdout.split('\n').filter((l) => / — /.test(l));
    expect(lines.map((l) => l.replace(/^.*\d\d:\d\d:\d\d /, ''))).toEqual([
      'consent given for sms — event purchase.completed',
      'opted out of sms — opted out of sms',
      'opted back in to sms — opted back in to sms',
    ]);
  });

  it('lets an agent write first: SMS refused without consent, a WhatsApp template with it', async () => {
    const created = await t.admin('POST', '/api/events', {
      type: 'lead.created',
      phone: '+14155550444',
      name: 'Omar',
    });
    expect(created.status).toBe(409);
    const lead = await t.admin('POST', '/api/events', {
      type: 'lead.created',
      phone: '+14155550444',
      name: 'Omar',
      consent: ['whatsapp'],
      channel: 'whatsapp',
    });
    expect(lead.status).toBe(200);
    const contactId = (lead.body as { contactId: string }).contactId;
    const sms = await t.admin('POST', `/api/contacts/${contactId}/conversations`, {
      by: 'sam',
      channel: 'sms',
      text: 'Hello Omar',
    });
    expect(sms).toMatchObject({ status: 409, body: { error: 'unreachable' } });
    expect((sms.body as { reason: string }).reason).toContain('sms: no recorded consent');
    const free = await t.admin('POST', `/api/contacts/${contactId}/conversations`, {
      by: 'sam',
      channel: 'whatsapp',
      text: 'Hello Omar',
    });
    expect(free.status).toBe(409);
    expect((free.body as { reason: string }).reason).toMatch(/reply window closed|approved template/);
    const templated = await t.admin('POST', `/api/contacts/${contactId}/conversations`, {
      by: 'sam',
      channel: 'whatsapp',
      template: 'follow_up',
      vars: { 'event.product': 'order' },
    });
    expect(templated.status).toBe(200);
    await eventually(() => to('+14155550444', 'whatsapp').length > 0);
    expect(to('+14155550444', 'whatsapp').at(-1)).toMatchObject({ contentSid: CONTENT_SID, body: null });

    // the same from the command line, through the running router's API
    const env = { TOUCHPOINT_ADMIN_TOKEN: t.app.adminToken };
    const base = ['contacts', 'write', contactId.slice(0, 22), '--by', 'sam', '--url', t.app.url, '--data', t.dir];
    const refused = await cli([...base, '--channel', 'sms', '--text', 'Hello Omar'], env);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('sms: no recorded consent');
    const wrote = await cli([...base, '--template', 'follow_up', '--var', 'event.product=bun', '--json'], env);
    expect(wrote.code).toBe(0);
    expect(JSON.parse(wrote.stdout)).toMatchObject({ opened: false, message: { status: 'queued' } });
    await eventually(() => to('+14155550444', 'whatsapp').length > 1);
    expect(JSON.parse(to('+14155550444', 'whatsapp').at(-1)?.contentVariables ?? '{}')).toEqual({
      '1': 'Omar',
      '2': 'bun',
    });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flowFile } from '../../src/settings/flow-schema.ts';
import { templatesFile } from '../../src/settings/schema.ts';
import { inbound, OUR_SMS, startTwilioApp, type TwilioApp } from './twilio-app.ts';

/**
 * A channel variant of a language variant, end to end: a German customer
 * texting gets the German SMS text of the template (not the German default,
 * not the English SMS one), through the real twilio client to the fake Twilio
 * API; an English customer on SMS and a German one on another channel's
 * variant stay as they were.
 */
describe('SMS + German template variant (fake Twilio API, real twilio client)', () => {
  let t: TwilioApp;

  beforeAll(async () => {
    t = await startTwilioApp({
      more: {
        templates: templatesFile.parse({
          templates: {
            pricing: {
              text: 'A loaf is £4.',
              channels: { sms: 'Loaf £4' },
              languages: {
                de: { text: 'Ein Laib Brot kostet bei uns £4.', channels: { sms: 'Brot £4' } },
              },
            },
          },
        }).templates,
        flows: [flowFile.parse({ id: 'preis', trigger: { keywords: ['kostet'] }, steps: [{ say: 'pricing' }] })],
      },
    });
  });
  afterAll(async () => {
    await t?.stop();
  });

  const sentTo = (customer: string) => t.api.messages.filter((m) => m.to === customer).map((m) => m.body);

  it('sends the German SMS variant to a customer who writes German, the English one otherwise', async () => {
    const german = '+4915110000001';
    const res = await t.post(
      '/twilio/sms',
      inbound({ from: german, body: 'Guten Tag, wie viel kostet bei Ihnen ein Brot? Vielen Dank und schöne Grüße!' }),
    );
    expect(res.status).toBe(200);
    await t.app.drain();
    const [c] = (await t.app.store.listConversations({ channel: 'sms' })).filter(
      (x) => x.threadKey === `${OUR_SMS}/${german}`,
    );
    expect((await t.app.store.getContact(c?.contactId ?? ''))?.language).toBe('de');
    expect(sentTo(german)).toEqual(['Brot £4']);

    const english = '+447700900555';
    await t.post('/twilio/sms', inbound({ from: english, body: 'How much is a loaf?' }));
    await t.app.drain();
    expect(sentTo(english)).toEqual(['Loaf £4']);
  });
});

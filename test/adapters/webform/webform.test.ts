import { afterEach, describe, expect, it } from 'vitest';
import { SendError } from '../../../src/errors.ts';
import type { OutboundMessage } from '../../../src/model/types.ts';
import { json } from '../../server/helpers.ts';
import { startWebform, type Webform } from './setup.ts';

let w: Webform;
afterEach(() => w.stop());

const fields = { name: 'Ada Lovelace', email: 'Ada@Example.COM', phone: '+44 20 7946 0000', message: 'Do you cater?' };

describe('web form submissions', () => {
  it('turns a JSON submission into one envelope and answers 202', async () => {
    w = await startWebform();
    const res = await w.postJson('contact', fields);
    expect(res.status).toBe(202);
    expect(await json(res)).toEqual({ id: expect.any(String), duplicate: false });
    expect(w.host.envelopes).toEqual([
      {
        channel: 'webform',
        providerId: expect.stringMatching(/^hash:/),
        touchpoint: { channel: 'webform', kind: 'webform', visibility: 'private' },
        threadKey: 'webform:ada@example.com',
        from: { kind: 'email', value: 'ada@example.com', verified: false, name: 'Ada Lovelace' },
        text: 'Do you cater?',
        replyRef: {
          formId: 'contact',
          email: 'ada@example.com',
          to: 'ada@example.com',
          name: 'Ada Lovelace',
          subject: 'Your message (contact)',
          phone: '+44 20 7946 0000',
        },
        sentAt: w.clock.now(),
        raw: {
          formId: 'contact',
          name: 'Ada Lovelace',
          email: 'ada@example.com',
          phone: '+44 20 7946 0000',
          message: 'Do you cater?',
        },
      },
    ]);
  });

  it('redirects an HTML form to the thank-you page, or to the configured URL', async () => {
    w = await startWebform({ thankYou: 'Ta, <we> will write back.' });
    const res = await w.postForm('contact', { ...fields, phone: '' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('thanks');
    expect(w.host.envelopes[0]?.replyRef).toMatchObject({
      formId: 'contact',
      email: 'ada@example.com',
      to: 'ada@example.com',
    });
    const thanks = await fetch(new URL('thanks', `${w.url}/webform/contact`));
    expect(thanks.status).toBe(200);
    expect(await thanks.text()).toContain('Ta, &lt;we&gt; will write back.');
    await w.stop();

    w = await startWebform({ redirectUrl: 'https://www.bakery.example/thanks' });
    const custom = await w.postForm('contact', fields);
    expect(custom.headers.get('location')).toBe('https://www.bakery.example/thanks');
  });

  it('deduplicates a double submit within the minute, and honours an idempotency key', async () => {
    w = await startWebform();
    const first = await json(await w.postJson('contact', fields));
    expect(await json(await w.postJson('contact', fields))).toEqual({ id: first.id, duplicate: true });
    w.clock.advance(60_000);
    expect((await json(await w.postJson('contact', fields))).duplicate).toBe(false);

    await w.postJson('contact', { ...fields, message: 'one' }, { 'idempotency-key': 'k-1' });
    const again = await json(
      await w.postJson('contact', { ...fields, message: 'changed' }, { 'idempotency-key': 'k-1' }),
    );
    expect(again.duplicate).toBe(true);
    expect(w.host.envelopes.map((e) => e.providerId)).toEqual([
      expect.stringMatching(/^hash:/),
      expect.stringMatching(/^hash:/),
      'key:contact:k-1',
    ]);
  });

  it('answers a filled honeypot as success and stores nothing', async () => {
    w = await startWebform({ honeypotField: 'fax' });
    expect((await w.postForm('contact', { ...fields, fax: 'spam' })).status).toBe(303);
    expect((await w.postJson('contact', { ...fields, fax: 'spam', email: 'not an email' })).status).toBe(202);
    expect((await w.postForm('contact', { ...fields, fax: '' })).status).toBe(303);
    expect(w.host.envelopes).toHaveLength(1);
  });

  it('rejects invalid fields with reasons naming each field, storing nothing', async () => {
    w = await startWebform({ maxMessageLength: 20 });
    const res = await w.postJson('contact', { name: '', email: 'nope', phone: 'call me', message: 'x'.repeat(21) });
    expect(res.status).toBe(400);
    const { reason } = await json(res);
    expect(reason).toContain('field.name: is required');
    expect(reason).toContain('field.email: must be an email address');
    expect(reason).toContain('field.phone: must be a phone number');
    expect(reason).toContain('field.message: must be at most 20 characters');
    expect((await json(await w.postJson('contact', { email: 'a@b.example' }))).reason).toContain(
      'field.message: is required',
    );

    const html = await w.postForm('contact', { name: 'Ada', email: '<b>@x', message: 'hi' });
    expect(html.status).toBe(400);
    expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const page = await html.text();
    expect(page).toContain('<li>email: must be an email address');
    expect(page).not.toContain('<b>');
    expect(w.host.envelopes).toEqual([]);
  });

  it('rejects malformed bodies and other content types with what to change', async () => {
    w = await startWebform();
    const malformed = await w.postJson('contact', '{"name": ');
    expect(malformed.status).toBe(400);
    expect((await json(malformed)).error).toBe('invalid_json');
    expect((await w.postJson('contact', '[1,2]')).status).toBe(400);
    const multipart = await fetch(`${w.url}/webform/contact`, { method: 'POST', body: new FormData() });
    expect(multipart.status).toBe(415);
    expect(await multipart.text()).toContain('multipart/form-data');
    const plain = await fetch(`${w.url}/webform/contact`, { method: 'POST', body: 'hello' });
    expect(plain.status).toBe(415);
    expect((await json(plain)).reason).toMatch(/application\/x-www-form-urlencoded/);
    expect(w.host.envelopes).toEqual([]);
  });

  it('limits submissions per address with 429 and Retry-After', async () => {
    w = await startWebform();
    for (let i = 0; i < 5; i++) expect((await w.postJson('contact', { ...fields, message: `m${i}` })).status).toBe(202);
    const limited = await w.postJson('contact', { ...fields, message: 'm5' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('120');
    const form = await w.postForm('contact', { ...fields, message: 'm5' });
    expect(form.status).toBe(429);
    expect(await form.text()).toContain('Please wait a moment');
    w.clock.advance(120_000);
    expect((await w.postJson('contact', { ...fields, message: 'm5' })).status).toBe(202);
    expect(w.host.envelopes).toHaveLength(6);
  });

  it('accepts only the configured form ids', async () => {
    w = await startWebform({ forms: ['contact'] });
    const res = await w.postJson('careers', fields);
    expect(res.status).toBe(404);
    expect((await json(res)).reason).toBe('there is no form "careers"');
    expect((await w.postJson('contact', fields)).status).toBe(202);
  });

  it('lets listed sites post with JavaScript, and any site post a plain form', async () => {
    const origin = 'https://www.bakery.example';
    w = await startWebform({ allowedOrigins: [origin] });
    const listed = await w.postJson('contact', fields, { origin });
    expect(listed.headers.get('access-control-allow-origin')).toBe(origin);
    expect((await w.postJson('contact', { ...fields, message: 'b' }, { origin: 'https://evil.example' })).status).toBe(
      403,
    );
    expect((await w.postForm('contact', { ...fields, message: 'c' }, { origin: 'https://other.example' })).status).toBe(
      303,
    );
    expect(w.host.envelopes.map((e) => e.text)).toEqual(['Do you cater?', 'c']);
  });
});

describe('web form adapter', () => {
  it('refuses to send with a permanent error naming the fix, and declares what it can do', async () => {
    w = await startWebform();
    const msg = { messageId: 'm1', threadKey: 'webform:ada@example.com' } as OutboundMessage;
    const err = await w.adapter.send(msg).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SendError);
    expect((err as SendError).failure).toBe('permanent');
    expect((err as SendError).message).toBe('web form has no reply channel yet; configure the email channel');
    expect(w.adapter.destination('webform:ada@example.com', null)).toBe('ada@example.com');
    expect(w.adapter.capabilities).toMatchObject({ threads: false, attachments: false, richParts: false });
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.ts';
import type { Contact } from '../../src/model/types.ts';
import { createOutbound } from '../../src/outbound/outbound.ts';
import type { Store } from '../../src/store/contract.ts';
import { openStore } from '../../src/store/open.ts';
import { newConversation } from '../support/records.ts';

const T0 = Date.UTC(2026, 0, 5, 9, 0);
const HOUR = 3_600_000;
const root = mkdtempSync(join(tmpdir(), 'tp-first-contact-rules-'));
let n = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

const TEMPLATE = { type: 'template' as const, contentSid: `HX${'ab'.repeat(16)}`, variables: { '1': 'Ann' } };

/** The outbound chain's own rules for writing first: consent on file, and a reply window that only templates pass. */
describe('the outbound chain when we write first', () => {
  let store: Store;
  let contact: Contact;
  const outbound = createOutbound({
    destinationOf: (_channel, threadKey) => threadKey,
    windowHoursOf: (channel) => (channel === 'whatsapp' ? 24 : null),
    consentRequired: ['whatsapp'],
  });
  beforeEach(async () => {
    store = await openStore({ dataDir: join(root, `db-${n++}`), log: silentLogger });
    contact = await store.transaction((tx) =>
      tx.createContact({ name: 'Ann' }, { kind: 'phone', value: '+447700900123' }, T0),
    );
  });
  afterEach(() => store.close());

  const send = (channel: string, lastInboundAt: number | null, extra: { whatsappTemplate?: typeof TEMPLATE } = {}) =>
    store.transaction(async (tx) => {
      const conversation = await tx.createConversation(
        newConversation(contact.id, channel, `${channel}-1`, { lastInboundAt }),
        T0,
      );
      return outbound.send(
        tx,
        { conversation, contact, text: 'Hello Ann', author: { kind: 'bot' }, templateId: 'hello', ...extra },
        T0 + HOUR,
      );
    });

  it('refuses SMS to a customer who never wrote there until their consent is on file, then queues it', async () => {
    const refused = await send('sms', null);
    expect(refused).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/^no recorded consent to write first on sms/),
    });
    await store.recordContactChange({
      contactId: contact.id,
      kind: 'consent',
      channel: 'sms',
      on: true,
      source: 'test',
      at: T0,
    });
    expect(await send('sms', null)).toMatchObject({ status: 'queued', error: null });
    await store.recordContactChange({
      contactId: contact.id,
      kind: 'consent',
      channel: 'sms',
      on: false,
      source: 'test',
      at: T0,
    });
    expect((await send('sms', null)).status).toBe('failed');
  });

  it('answers a customer who wrote on SMS without asking for consent', async () => {
    expect((await send('sms', T0)).status).toBe('queued');
  });

  it('sends the approved template outside the reply window, free text inside, and refuses text with no template outside', async () => {
    await store.recordContactChange({
      contactId: contact.id,
      kind: 'consent',
      channel: 'whatsapp',
      on: true,
      source: 'test',
      at: T0,
    });
    const outside = await send('whatsapp', T0 - 24 * HOUR, { whatsappTemplate: TEMPLATE });
    expect(outside).toMatchObject({ status: 'queued', parts: [TEMPLATE] });
    const inside = await send('whatsapp', T0, { whatsappTemplate: TEMPLATE });
    expect(inside.status).toBe('queued');
    expect(inside.parts).toBeUndefined();
    const refused = await send('whatsapp', T0 - 24 * HOUR);
    expect(refused).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('give template "hello" an approved whatsapp'),
    });
  });
});

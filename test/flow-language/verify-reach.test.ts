import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmailThread } from '../../adapters/email/start-thread.ts';
import { parseThreadKey } from '../../adapters/email/thread-key.ts';
import { reachForVerify, type StartThread } from '../../src/flow-language/verify-reach.ts';
import { silentLogger } from '../../src/log.ts';
import type { Contact, Conversation } from '../../src/model/types.ts';
import type { Store } from '../../src/store/contract.ts';
import { openStore } from '../../src/store/open.ts';
import { newConversation } from '../support/records.ts';

const T0 = Date.UTC(2026, 0, 5, 9, 0);
const root = mkdtempSync(join(tmpdir(), 'tp-verify-reach-'));
let n = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The email adapter's own thread starter; other channels cannot start threads here. */
const startThread: StartThread = (channel, request) => (channel === 'email' ? startEmailThread(request) : null);

describe('a verification code goes to what is on file', () => {
  let store: Store;
  let contact: Contact;
  let chat: Conversation;
  beforeEach(async () => {
    store = await openStore({ dataDir: join(root, `db-${n++}`), log: silentLogger });
    ({ contact, chat } = await store.transaction(async (tx) => {
      const c = await tx.createContact({ name: 'Ann' }, { kind: 'webchat', value: 'visitor-1' }, T0);
      await tx.addIdentity(c.id, { kind: 'email', value: 'ann@shop.test', verified: true });
      return { contact: c, chat: await tx.createConversation(newConversation(c.id, 'webchat', 'w1'), T0) };
    }));
  });
  afterEach(() => store.close());

  const reach = (via: string[], theirs: Conversation[], start: StartThread | 'none' = startThread) =>
    store.transaction((tx) =>
      reachForVerify(tx, {
        contact,
        current: chat.id,
        via,
        theirs,
        startThread: start === 'none' ? undefined : start,
        now: T0 + 1,
      }),
    );

  it('opens an email conversation to the address on file when the contact never wrote by email', async () => {
    const out = await reach(['sms', 'email'], [chat]);
    expect(out).toHaveLength(2);
    const opened = out[0] as Conversation;
    expect(opened).toMatchObject({
      contactId: contact.id,
      touchpoint: { channel: 'email', kind: 'email', visibility: 'private' },
      status: 'resolved',
      replyRef: { to: 'ann@shop.test', messageId: null },
    });
    expect(parseThreadKey(opened.threadKey)?.sender).toBe('ann@shop.test');
    expect(await store.getConversation(opened.id)).toEqual(opened);
  });

  it('uses a conversation already there, and opens nothing where no channel can reach what is on file', async () => {
    const mail = await store.transaction((tx) =>
      tx.createConversation(newConversation(contact.id, 'email', 'email:ann@shop.test:0123456789abcdef'), T0),
    );
    expect(await reach(['email'], [chat, mail])).toEqual([chat, mail]);
    expect(await reach(['sms'], [chat])).toEqual([chat]);
    expect(await reach(['email'], [chat], 'none')).toEqual([chat]);
    expect(await store.findConversationsOfContact(contact.id)).toHaveLength(2);
  });
});

describe('the email adapter starts threads to email identities only', () => {
  it('refuses other kinds and private replies, and gives each thread its own token', () => {
    expect(startEmailThread({ to: { kind: 'phone', value: '+447700900123' } })).toBeNull();
    expect(
      startEmailThread({
        to: { kind: 'email', value: 'a@b.test' },
        privateReplyTo: { threadKey: 'x', replyRef: null },
      }),
    ).toBeNull();
    const a = startEmailThread({ to: { kind: 'email', value: 'Ann@Shop.test' } });
    const b = startEmailThread({ to: { kind: 'email', value: 'ann@shop.test' } });
    expect(a?.threadKey).not.toBe(b?.threadKey);
    expect(parseThreadKey(a?.threadKey ?? '')?.sender).toBe('ann@shop.test');
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { BOOTSTRAP_ADMIN } from '../../src/access/principal.ts';
import { createFolderBlobStore } from '../../src/blobs/folder-blob-store.ts';
import { silentLogger } from '../../src/log.ts';
import { eraseContact } from '../../src/privacy/erase.ts';
import type { Store } from '../../src/store/contract.ts';
import { openStore } from '../../src/store/open.ts';
import type { Database } from '../../src/store/schema.ts';
import { message, T0 } from '../store/fixtures.ts';
import { dropSchema, freshSchema } from '../support/pg-schema.ts';
import { newConversation } from '../support/records.ts';

const root = mkdtempSync(join(tmpdir(), 'tp-erase-tables-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const databaseUrl = process.env.DATABASE_URL;
const schemas: string[] = [];
afterAll(async () => {
  for (const s of schemas.splice(0)) if (databaseUrl) await dropSchema(databaseUrl, s);
});
const stores: Array<{ name: string; open: () => Promise<Store> }> = [
  { name: 'sqlite', open: () => openStore({ dataDir: join(root, 'db'), log: silentLogger }) },
];
if (databaseUrl)
  stores.push({
    name: 'postgres',
    open: () => {
      const schema = freshSchema('tp_erase_tables');
      schemas.push(schema);
      return openStore({ databaseUrl, schema, dataDir: '/nonexistent', log: silentLogger });
    },
  });

const EMAIL = 'zelda.quartermain@example.com';
const TEXT = 'my diagnosis is confidential';
const db = (store: Store) => (store as unknown as { db: Kysely<Database> }).db;

/** Every table the store has now (new tables included without editing this test), as JSON. */
async function everything(store: Store): Promise<string> {
  const tables = await db(store).introspection.getTables();
  const out: Record<string, unknown[]> = {};
  for (const t of tables)
    out[t.name] = await db(store)
      .selectFrom(t.name as never)
      .selectAll()
      .execute();
  return JSON.stringify(out);
}

/**
 * No table, including those added after the erasure was written (webhooks
 * out, bug links, attachment fetches, …), keeps the words or identities of
 * an erased contact: scanned table by table from the database's own list.
 */
describe.each(stores)('erase leaves nothing of theirs in any table ($name)', ({ open }) => {
  it('removes their message text and address from every table, webhook deliveries and fetches included', async () => {
    const store = await open();
    try {
      const { contactId, conversationId } = await store.transaction(async (tx) => {
        const contact = await tx.createContact({ name: 'Zelda' }, { kind: 'email', value: EMAIL }, T0);
        const c = await tx.createConversation(newConversation(contact.id, 'email', `thread-${EMAIL}`), T0);
        const m = await tx.insertMessage(
          message(c.id, {
            direction: 'inbound',
            status: 'received',
            text: TEXT,
            attachments: [{ contentType: 'image/png', url: `https://mail.example/${EMAIL}/scan.png` }],
          }),
          T0,
        );
        // A webhook out about the message and one about the contact, as src/store/out-events.ts writes them.
        for (const [key, type] of [
          [c.id, 'message.created'],
          [contact.id, 'contact.updated'],
        ] as const)
          await (tx as unknown as { db: Kysely<Database> }).db
            .insertInto('webhook_deliveries')
            .values({
              id: `wh-${type}`,
              subscription: 'crm',
              event_id: `ev-${type}`,
              event_type: type,
              order_key: key,
              body: JSON.stringify({ type, data: { text: TEXT, email: EMAIL, messageId: m.id } }),
              due_at: T0,
              last_error: null,
              lease_owner: null,
              lease_until: null,
              created_at: T0,
              sent_at: T0,
              failed_at: null,
            })
            .execute();
        const bug = await tx.bugs.add({
          tracker: 'github',
          key: '7',
          url: 'https://github.com/harbour/shop/issues/7',
          title: 'Scans fail',
          severity: 'normal',
          createdAt: T0,
        });
        await tx.bugs.link(bug.id, c.id, T0);
        return { contactId: contact.id, conversationId: c.id };
      });
      const before = await everything(store);
      expect(before).toContain(TEXT);
      expect(before).toContain(EMAIL);

      await eraseContact(store, contactId, BOOTSTRAP_ADMIN, T0, createFolderBlobStore(join(root, 'blobs')));
      const after = await everything(store);
      expect(after).not.toContain(TEXT);
      expect(after).not.toContain(EMAIL);
      expect(after).not.toContain('zelda');
      // The anonymous shell stays for the counts.
      expect(await store.getConversation(conversationId)).not.toBeNull();
    } finally {
      await store.close();
    }
  });
});

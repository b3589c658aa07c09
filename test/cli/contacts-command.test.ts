import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.ts';
import { openStore } from '../../src/store/open.ts';
import { newConversation } from '../support/records.ts';
import { cli } from './helpers.ts';

const NOW = Date.UTC(2026, 0, 6, 10, 30, 0);
let dataDir: string;
let ids: { ann: string; dup: string; suggestion: string; smsConversation: string };

beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'touchpoint-contacts-'));
  const store = await openStore({ dataDir, log: silentLogger });
  try {
    ids = await store.transaction(async (tx) => {
      const ann = await tx.createContact({ name: 'Ann Lee' }, { kind: 'phone', value: '+447700900123' }, NOW);
      await tx.addIdentity(ann.id, { kind: 'whatsapp', value: '+447700900123' });
      const sms = await tx.createConversation(newConversation(ann.id, 'sms', '+14155550100/+447700900123'), NOW);
      await tx.createConversation(newConversation(ann.id, 'whatsapp', '+14155550199/+447700900123'), NOW + 1);
      const dup = await tx.createContact({ name: 'Ann Lee' }, { kind: 'email', value: 'ann@shop.test' }, NOW + 2);
      await tx.createConversation(newConversation(dup.id, 'email', 'mail-1'), NOW + 2);
      const s = await tx.suggestMerge(
        { contactId: dup.id, otherId: ann.id, reason: 'same_name', evidence: '"Ann Lee" first wrote on email' },
        NOW + 2,
      );
      return { ann: ann.id, dup: dup.id, suggestion: s?.id as string, smsConversation: sms.id };
    });
  } finally {
    await store.close();
  }
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

describe('touchpoint contacts', () => {
  it('lists and searches by identity, shows every conversation of a contact by an id prefix', async () => {
    const found = await cli(['contacts', 'list', '--search', '7700 900', '--data', dataDir, '--json']);
    expect(found.code).toBe(0);
    expect(JSON.parse(found.stdout).contacts.map((c: { id: string }) => c.id)).toEqual([]);
    const byNumber = await cli(['contacts', 'list', '--search', '+4477009', '--data', dataDir, '--json']);
    expect(JSON.parse(byNumber.stdout).contacts.map((c: { id: string }) => c.id)).toEqual([ids.ann]);

    const shown = await cli(['contacts', 'show', ids.ann.slice(0, 22), '--data', dataDir]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`Contact ${ids.ann}`);
    expect(shown.stdout).toContain('phone +447700900123');
    expect(shown.stdout).toContain('whatsapp +447700900123');
    expect(shown.stdout).toMatch(/ sms \(sms\) open /);
    expect(shown.stdout).toMatch(/ whatsapp \(whatsapp\) open /);

    const conv = await cli(['conversations', 'show', ids.smsConversation.slice(0, 22), '--data', dataDir, '--json']);
    expect(JSON.parse(conv.stdout).conversation.id).toBe(ids.smsConversation);
  });

  it('accepts a suggestion: one contact with all conversations; the old id shows the survivor', async () => {
    const listed = await cli(['contacts', 'suggestions', '--data', dataDir]);
    expect(listed.stdout).toContain('same_name');
    const accepted = await cli(['contacts', 'accept', ids.suggestion, '--by', 'sam', '--data', dataDir, '--json']);
    expect(accepted.code).toBe(0);
    expect(JSON.parse(accepted.stdout).merge).toMatchObject({ fromId: ids.dup, intoId: ids.ann, by: 'sam' });
    const shown = await cli(['contacts', 'show', ids.dup, '--data', dataDir, '--json']);
    const view = JSON.parse(shown.stdout);
    expect(view.contact.id).toBe(ids.ann);
    expect(view.conversations).toHaveLength(3);
    expect(view.merges).toHaveLength(1);
  });

  it('refuses a merge into itself, an ambiguous or unknown id, a malformed number, with the reason', async () => {
    const self = await cli(['contacts', 'merge', ids.ann, ids.ann, '--data', dataDir]);
    expect(self.code).not.toBe(0);
    expect(self.stderr).toContain('cannot be merged into itself');
    const unknown = await cli(['contacts', 'merge', 'zzz', ids.ann, '--data', dataDir]);
    expect(unknown.stderr).toContain('no contact with id zzz');
    const ambiguous = await cli(['contacts', 'show', ids.ann.slice(0, 1), '--data', dataDir]);
    expect(ambiguous.stderr).toContain('several contact ids');
    const bad = await cli(['contacts', 'link', ids.ann, 'phone', '07700 900123', '--data', dataDir]);
    expect(bad.stderr).toContain('is not an international number');
    const taken = await cli(['contacts', 'link', ids.ann, 'email', 'ANN@shop.test', '--data', dataDir]);
    expect(taken.stderr).toContain(`belongs to contact ${ids.dup}`);
  });

  it('edits tags, and the VIP flag follows the tag criteria of contacts.yaml, recorded in the history', async () => {
    const config = mkdtempSync(join(tmpdir(), 'touchpoint-contacts-config-'));
    try {
      writeFileSync(join(config, 'contacts.yaml'), 'vip:\n  tags: [vip]\n');
      const added = await cli([
        'contacts',
        'tag',
        ids.ann,
        '--add',
        'vip',
        '--add',
        'wholesale',
        '--config',
        config,
        '--data',
        dataDir,
        '--json',
      ]);
      expect(added.code).toBe(0);
      expect(JSON.parse(added.stdout).tags).toEqual(['vip', 'wholesale']);
      const shown = await cli(['contacts', 'show', ids.ann, '--data', dataDir]);
      expect(shown.stdout).toContain('[VIP]');
      expect(shown.stdout).toMatch(/became VIP — tag vip \(tags edited\)/);
      const removed = await cli(['contacts', 'tag', ids.ann, '--remove', 'vip', '--config', config, '--data', dataDir]);
      expect(removed.stdout).toContain('tags: wholesale');
      expect((await cli(['contacts', 'show', ids.ann, '--data', dataDir])).stdout).toMatch(/no longer VIP/);
      const none = await cli(['contacts', 'tag', ids.ann, '--data', dataDir]);
      expect(none.code).toBe(2);
      expect(none.stderr).toContain('give --add TAG or --remove TAG');
    } finally {
      rmSync(config, { recursive: true, force: true });
    }
  });

  it('exports a contact to a file, then erases it only with --yes; both are in the audit log', async () => {
    const out = join(dataDir, 'ann.json');
    const exported = await cli(['contacts', 'export', ids.ann, '--out', out, '--by', 'owner', '--data', dataDir]);
    expect(exported.stdout).toBe(`contact ${ids.ann} exported to ${out} (2 conversations)\n`);
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    expect(doc.identities.map((i: { value: string }) => i.value)).toEqual(['+447700900123', '+447700900123']);
    const refused = await cli(['contacts', 'erase', ids.ann, '--data', dataDir]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('add --yes to confirm');
    const erased = await cli(['contacts', 'erase', ids.ann, '--yes', '--data', dataDir]);
    expect(erased.stdout).toContain(`contact ${ids.ann} erased`);
    const shown = JSON.parse((await cli(['contacts', 'show', ids.ann, '--data', dataDir, '--json'])).stdout);
    expect(shown.identities).toEqual([]);
    expect(shown.contact).toMatchObject({ name: null, optOuts: ['*'] });
    const audit = JSON.parse((await cli(['audit', '--contact', ids.ann, '--data', dataDir, '--json'])).stdout);
    expect(audit.entries.map((e: { action: string; actorId: string }) => [e.action, e.actorId])).toEqual([
      ['erase', 'cli'],
      ['export', 'owner'],
    ]);
  });
});

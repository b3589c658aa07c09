import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.ts';
import { openStore } from '../../src/store/open.ts';
import { newConversation } from '../support/records.ts';
import { cli } from './helpers.ts';

let dataDir: string;

/** One webchat conversation an hour old, answered by Ann after 20 minutes. */
async function seed(dir: string, now: number) {
  const store = await openStore({ dataDir: dir, log: silentLogger });
  try {
    await store.transaction(async (tx) => {
      const contact = await tx.createContact({ name: 'Ada' }, { kind: 'webchat', value: 'v1' }, now - 60 * 60_000);
      const c = await tx.createConversation(newConversation(contact.id, 'webchat', 'webchat:v1'), now - 60 * 60_000);
      const base = {
        conversationId: c.id,
        attachments: [],
        providerId: null,
        visibility: 'customer' as const,
        text: 'hi',
      };
      await tx.insertMessage(
        { ...base, direction: 'inbound', author: { kind: 'contact', id: contact.id }, status: 'received' },
        now - 60 * 60_000,
      );
      await tx.insertMessage(
        { ...base, direction: 'outbound', author: { kind: 'agent', id: 'ann' }, status: 'sent' },
        now - 40 * 60_000,
      );
    });
  } finally {
    await store.close();
  }
}

beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'tp-report-cli-'));
  await seed(dataDir, Date.now());
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

describe('touchpoint report', () => {
  it('prints the KPIs of the period as JSON, broken down, and writes the HTML file', async () => {
    const html = join(dataDir, 'report.html');
    const run = await cli(['report', '--since', '1d', '--by', 'channel', '--json', '--html', html, '--data', dataDir]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.total.volume.conversations).toBe(1);
    expect(report.total.firstResponse.agent).toMatchObject({ count: 1, wall: { avgMs: 20 * 60_000 } });
    expect(report.groups.map((g: { key: string }) => g.key)).toEqual(['webchat']);
    expect(report.scored.find((s: { id: string }) => s.id === 'csat')).toMatchObject({ target: 0.95, met: null });
    expect(readFileSync(html, 'utf8')).toContain('<html lang="en">');
  }, 30_000);

  it('prints a table for people, and refuses a bad --since or --by', async () => {
    const run = await cli(['report', '--data', dataDir]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/CSAT \(4–5 of 5\)\s+–\s+≥ 95\.0 %\s+no data/);
    expect((await cli(['report', '--since', 'a week', '--data', dataDir])).code).toBe(2);
    expect((await cli(['report', '--by', 'mood', '--data', dataDir])).code).toBe(2);
  });
});

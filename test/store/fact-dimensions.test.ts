import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FactKind } from '../../src/facts/derive.ts';
import { silentLogger } from '../../src/log.ts';
import type { Store } from '../../src/store/contract.ts';
import type { FactInputs } from '../../src/store/fact-reads.ts';
import { openStore, SQLITE_FILE } from '../../src/store/open.ts';
import { seed } from '../bench/report-bench.ts';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 24, 11, 0);
const KINDS: FactKind[] = ['first_response', 'next_response', 'resolved', 'reopened', 'csat'];

const dimensionsById = (inputs: FactInputs) =>
  new Map(
    [...inputs.facts, ...inputs.created, ...inputs.resolved, ...inputs.backlog].map((r) => [
      r.conversationId,
      { channel: r.channel, touchpoint: r.touchpoint, category: r.category, intent: r.intent, vip: r.vip },
    ]),
  );

/**
 * The KPIs' dimension look-up on a store large enough that a 90-day read wants
 * most conversations (one pass over the covering index) while a one-day read
 * wants few (looked up by id): both give each conversation the same dimensions,
 * and a staff thread's facts are left out either way.
 */
describe('conversation dimensions of the KPI inputs', () => {
  let dir: string;
  let store: Store;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tp-dims-'));
    await (await openStore({ dataDir: dir, log: silentLogger })).close();
    seed(join(dir, SQLITE_FILE), 12_000, NOW);
    const db = new DatabaseSync(join(dir, SQLITE_FILE));
    db.exec(`update conversations set tags = '["staff"]' where id = 'c00000009'`);
    db.close();
    store = await openStore({ dataDir: dir, log: silentLogger });
  }, 120_000);
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the same dimensions by a pass over all conversations as by looking each up', async () => {
    const all = await store.factInputs(KINDS, NOW - 91 * DAY, NOW + 1);
    const wide = dimensionsById(all);
    expect(wide.size).toBeGreaterThan(10_000);
    let compared = 0;
    for (let day = 0; day < 91; day += 15) {
      const narrow = dimensionsById(await store.factInputs(KINDS, NOW - (day + 1) * DAY, NOW - day * DAY));
      for (const [id, d] of narrow) {
        expect(wide.get(id), id).toEqual(d);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(500);
    expect(wide.get('c00000000')).toEqual({
      channel: 'webchat',
      touchpoint: 'webchat',
      category: 'orders',
      intent: null,
      vip: true,
    });
    expect(wide.has('c00000009')).toBe(false);
    expect(all.facts.some((f) => f.conversationId === 'c00000009')).toBe(false);
  }, 120_000);
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { VirtualClock } from '../../src/clock.ts';
import type { DashboardDeps } from '../../src/dashboard/deps.ts';
import { overviewPage } from '../../src/dashboard/overview.ts';
import { silentLogger } from '../../src/log.ts';
import { openStore } from '../../src/store/open.ts';
import { newConversation } from '../support/records.ts';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 24, 11, 0, 0);

describe('the overview', () => {
  it('stores the closed KPI days of its longest period in the background when it is set up', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tp-overview-days-'));
    const store = await openStore({ dataDir: dir, log: silentLogger });
    try {
      const opened = NOW - 100 * DAY;
      const contact = await store.createContact({ name: 'Ann' }, { kind: 'email', value: 'ann@x.test' }, opened);
      await store.createConversation(newConversation(contact.id, 'email', 'k'), opened);
      const deps: Pick<DashboardDeps, 'store' | 'clock' | 'log'> = {
        store,
        clock: new VirtualClock(NOW),
        log: silentLogger,
      };
      // setting the page up is enough: no request
      overviewPage(deps as DashboardDeps);
      // from the first whole day of the last 90 to the one that ended two days ago
      await vi.waitFor(async () => expect((await store.kpiDays(0, NOW)).days.size).toBe(87));
      const days = [...(await store.kpiDays(0, NOW)).days.keys()];
      expect(Math.min(...days)).toBe(Date.UTC(2026, 7, 27));
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

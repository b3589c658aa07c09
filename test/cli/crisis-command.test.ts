import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.ts';
import { openStore } from '../../src/store/open.ts';
import { cli } from './helpers.ts';

let dataDir: string;
beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'tp-crisis-cli-'));
  await (await openStore({ dataDir, log: silentLogger })).close();
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

describe('touchpoint crisis', () => {
  it('switches on and off through the store, once, with a timer for the running router and an audit entry', async () => {
    const on = await cli(['crisis', 'on', '--reason', 'oven fire', '--by', 'olive', '--data', dataDir]);
    expect(on.code).toBe(0);
    expect(on.stdout).toMatch(/^crisis mode is ON \(since .+ by olive: oven fire\)/);
    const again = await cli(['crisis', 'on', '--data', dataDir, '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ on: true, changed: false, crisis: { startedBy: 'olive' } });
    const status = await cli(['crisis', 'status', '--data', dataDir]);
    expect(status.stdout).toContain('crisis mode is ON');

    const off = await cli(['crisis', 'off', '--by', 'olive', '--data', dataDir]);
    expect(off.stdout).toContain('crisis mode is OFF');
    expect((await cli(['crisis', 'status', '--data', dataDir])).stdout).toMatch(/^crisis mode is off\n {2}earlier: /);

    const store = await openStore({ dataDir, log: silentLogger });
    try {
      const timers = await store.claimTimers({ owner: 'probe', now: Date.now() + 1_000, leaseMs: 1, limit: 10 });
      expect(timers.map((t) => [t.kind, t.payload.on])).toEqual([
        ['crisis.switched', true],
        ['crisis.switched', false],
      ]);
      expect((await store.listAudit({ limit: 10 })).map((a) => `${a.action} ${a.actorId} ${a.via}`).sort()).toEqual([
        'crisis.off olive cli',
        'crisis.on olive cli',
      ]);
    } finally {
      await store.close();
    }
  });

  it('explains a wrong subcommand', async () => {
    const r = await cli(['crisis', 'maybe', '--data', dataDir]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('on|off|status');
  });
});

import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp } from '../../src/app.ts';
import { StoreError } from '../../src/errors.ts';
import { silentLogger } from '../../src/log.ts';
import { type RouterChild, startRouterChild } from '../support/child-process.ts';
import { testSettings } from '../support/settings.ts';
import { type SinkServer, startSinkServer } from '../support/sink-server.ts';

/**
 * One router per SQLite data folder: a second one would route and send the
 * same events. A router running in another process keeps the folder; once it
 * is gone (kill -9 leaves its pid file behind), the next router takes it.
 */
describe('data-folder lock', () => {
  let dir: string;
  let sink: SinkServer;
  let child: RouterChild | null = null;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tp-lock-'));
    sink = await startSinkServer();
  });
  afterAll(async () => {
    child?.proc.kill('SIGKILL');
    await sink.close();
    await rm(dir, { recursive: true, force: true });
  });

  const second = () =>
    startApp({ settings: testSettings(), adapters: {}, dataDir: dir, databaseUrl: null, port: 0, log: silentLogger });

  it('refuses a second router while the first runs, and lets the next one in after a kill -9', async () => {
    // SQLite whatever DATABASE_URL the test run has: the lock guards a data folder.
    child = await startRouterChild({ DATA_DIR: dir, SINK_URL: sink.url, SYNC: 'normal', DATABASE_URL: '' });
    const pid = child.proc.pid;
    expect(readFileSync(join(dir, 'router.pid'), 'utf8')).toBe(String(pid));

    const refused = await second().then(
      () => null,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(StoreError);
    expect((refused as StoreError).message).toContain(`another Touchpoint router (pid ${pid}) is running on ${dir}`);
    // The refused start left the running router's lock alone.
    expect(readFileSync(join(dir, 'router.pid'), 'utf8')).toBe(String(pid));

    child.proc.kill('SIGKILL');
    await child.exited;
    child = null;
    const next = await second();
    expect(readFileSync(join(dir, 'router.pid'), 'utf8')).toBe(String(process.pid));
    await next.stop();
    expect(existsSync(join(dir, 'router.pid'))).toBe(false);
  }, 60_000);
});

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.ts';
import type { Store } from '../../src/store/contract.ts';
import { openStore } from '../../src/store/open.ts';
import { message, seed } from '../store/fixtures.ts';
import { cli } from './helpers.ts';

let dir: string;
let store: Store;
const DAY = 86_400_000;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'touchpoint-retention-cli-'));
  mkdirSync(join(dir, 'config'));
  mkdirSync(join(dir, 'flows'));
  writeFileSync(join(dir, 'config', 'business.yaml'), 'name: Test Shop\n');
  store = await openStore({ dataDir: join(dir, 'data'), log: silentLogger });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const args = (...more: string[]) => [
  'retention',
  'run',
  '--config',
  join(dir, 'config'),
  '--flows',
  join(dir, 'flows'),
  '--data',
  join(dir, 'data'),
  ...more,
];

describe('touchpoint retention run', () => {
  it('counts on --dry-run, then removes, while the store is open elsewhere', async () => {
    writeFileSync(join(dir, 'config', 'retention.yaml'), 'retention:\n  default:\n    messages: 30d\n');
    const { conversation } = await seed(store, { channel: 'email' });
    await store.transaction(async (tx) => {
      await tx.insertMessage(message(conversation.id, { text: 'old' }), Date.now() - 40 * DAY);
      await tx.insertMessage(message(conversation.id, { text: 'new' }), Date.now() - DAY);
    });

    const dry = await cli(args('--dry-run', '--json'));
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({
      dryRun: true,
      lines: [{ channel: '*', kind: 'messages', olderThan: '30d', count: 1 }],
    });
    expect(await store.listMessages(conversation.id)).toHaveLength(2);

    const run = await cli(args());
    expect(run.code).toBe(0);
    // BEFORE is a date and time ("2026-11-07 20:01:45"): match the line, not one word for it.
    expect(run.stdout).toMatch(/^\*\s+messages\s+30d\s+\d{4}-\d\d-\d\d[ T][\d:]+\S*\s+1$/m);
    expect((await store.listMessages(conversation.id)).map((m) => m.text)).toEqual(['new']);
  });

  it('says so when no limit is set, and refuses a raw-payload limit too short to dedupe', async () => {
    const none = await cli(args());
    expect(none).toMatchObject({ code: 0 });
    expect(none.stdout).toContain('no retention limits');
    writeFileSync(join(dir, 'config', 'retention.yaml'), 'retention:\n  default:\n    rawPayloads: 2d\n');
    const bad = await cli(args());
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('retention.yaml');
    expect(bad.stderr).toContain('at least 7d');
  });
});

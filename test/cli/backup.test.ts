import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.ts';
import type { Store } from '../../src/store/contract.ts';
import { openStore } from '../../src/store/open.ts';
import { cli } from './helpers.ts';

let dir: string;
let store: Store;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'touchpoint-backup-'));
  store = await openStore({ dataDir: join(dir, 'data'), log: silentLogger });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const contacts = (file: string) => {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return (db.prepare('select count(*) as n from contacts').get() as { n: number }).n;
  } finally {
    db.close();
  }
};

describe('touchpoint backup', () => {
  it('copies the store while it is open and written to, as it was at the moment of the copy', async () => {
    for (let i = 0; i < 3; i++)
      await store.transaction((tx) => tx.createContact({ name: `C${i}` }, { kind: 'email', value: `c${i}@x.test` }, i));
    const file = join(dir, 'copy.sqlite');
    const r = await cli(['backup', file, '--data', join(dir, 'data')]);
    expect(r).toMatchObject({ code: 0 });
    expect(r.stdout).toContain(`to ${file}`);
    await store.transaction((tx) => tx.createContact({ name: 'later' }, { kind: 'email', value: 'later@x.test' }, 9));
    expect(contacts(file)).toBe(3);
  });

  it('never overwrites a file, and says what to do without a store', async () => {
    const file = join(dir, 'taken.sqlite');
    writeFileSync(file, 'keep me');
    const r = await cli(['backup', file, '--data', join(dir, 'data')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('exists already');
    const none = await cli(['backup', join(dir, 'x.sqlite'), '--data', join(dir, 'nowhere')]);
    expect(none.stderr).toContain('no store at');
  });
});

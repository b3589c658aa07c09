import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { NodeSqliteDatabase } from '../../src/store/sqlite-dialect.ts';

const root = mkdtempSync(join(tmpdir(), 'touchpoint-dialect-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('node:sqlite bridge for Kysely', () => {
  it('caches prepared statements by SQL text and tells readers from writers', () => {
    const db = new NodeSqliteDatabase(new DatabaseSync(':memory:'));
    db.prepare('create table t (a integer, b text)').run([]);
    const insert = db.prepare('insert into t (a, b) values (?, ?)');
    expect(db.prepare('insert into t (a, b) values (?, ?)')).toBe(insert);
    expect(insert.reader).toBe(false);
    expect(insert.run([1, 'x'])).toEqual({ changes: 1, lastInsertRowid: 1 });
    expect(db.prepare('insert into t (a, b) values (?, ?) returning a').reader).toBe(true);
    expect(db.prepare('select a, b from t').all([])).toEqual([{ a: 1, b: 'x' }]);
    expect([...db.prepare('select a from t').iterate([])]).toEqual([{ a: 1 }]);
    db.close();
  });

  it('binds booleans as 0/1 and undefined as null', () => {
    const db = new NodeSqliteDatabase(new DatabaseSync(':memory:'));
    db.prepare('create table t (a integer, b integer, c text)').run([]);
    db.prepare('insert into t values (?, ?, ?)').run([true, false, undefined]);
    expect(db.prepare('select * from t').all([])).toEqual([{ a: 1, b: 0, c: null }]);
    db.close();
  });

  it("takes the write lock at Kysely's begin, so a second writer waits instead of failing later", () => {
    const file = join(root, 'lock.sqlite');
    const first = new NodeSqliteDatabase(new DatabaseSync(file));
    const other = new DatabaseSync(file);
    other.exec('pragma busy_timeout = 0');
    first.prepare('begin').run([]);
    expect(() => other.exec('begin immediate')).toThrow(/locked|busy/i);
    first.prepare('commit').run([]);
    other.exec('begin immediate; rollback');
    other.close();
    first.close();
  });
});

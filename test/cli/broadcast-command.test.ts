import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.ts';
import { openStore } from '../../src/store/open.ts';
import { cli } from './helpers.ts';

let dataDir: string;
const ROOT = join(import.meta.dirname, '..', '..');
const config = ['--config', join(ROOT, 'config'), '--flows', join(ROOT, 'flows')];

describe('touchpoint broadcast', () => {
  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tp-broadcast-cli-'));
    // The store exists (a router ran here once), with two contacts in the segment.
    const store = await openStore({ dataDir, log: silentLogger });
    await store.transaction(async (tx) => {
      for (const v of ['visitor-1', 'visitor-2']) {
        const c = await tx.createContact({ name: v }, { kind: 'webchat', value: v }, Date.now());
        await tx.addTags(c.id, ['news']);
      }
    });
    await store.close();
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('creates, lists with a progress bar, pauses, resumes and cancels, with clear errors', async () => {
    const made = await cli([
      'broadcast',
      'create',
      '--name',
      'Menu',
      '--channel',
      'webchat',
      '--text',
      'Hi {name}',
      '--tag',
      'news',
      '--data',
      dataDir,
      '--json',
      ...config,
    ]);
    expect(made.stderr).toBe('');
    const id = (JSON.parse(made.stdout) as { id: string }).id;
    const list = await cli(['broadcast', 'list', '--data', dataDir]);
    expect(list.stdout).toMatch(/Menu\s+webchat\s+scheduled .*\[-{30}\]\s+0% 0\/0 sent/);
    expect((await cli(['broadcast', 'pause', id, '--data', dataDir])).stdout).toContain(`broadcast ${id} is paused`);
    expect((await cli(['broadcast', 'resume', id, '--data', dataDir])).stdout).toContain('is running');
    expect((await cli(['broadcast', 'cancel', id, '--by', 'ann', '--data', dataDir])).stdout).toContain('is cancelled');
    const again = await cli(['broadcast', 'cancel', id, '--data', dataDir]);
    expect([again.code, again.stderr]).toEqual([1, expect.stringContaining('is cancelled: it cannot cancel')]);
    const shown = await cli(['broadcast', 'show', id, '--data', dataDir]);
    expect(shown.stdout).toContain('Menu (');
    expect(shown.stdout).toContain('segment {"tags":["news"]}');
    const wrong = await cli([
      'broadcast',
      'create',
      '--name',
      'x',
      '--channel',
      'sms',
      '--text',
      'Hi',
      '--data',
      dataDir,
      ...config,
    ]);
    expect([wrong.code, wrong.stderr]).toEqual([1, expect.stringContaining('channel "sms" is not enabled')]);
    const usage = await cli(['broadcast', 'create', '--name', 'x', '--attr', 'novalue', '--data', dataDir]);
    expect([usage.code, usage.stderr]).toEqual([2, expect.stringContaining('--attr takes NAME=VALUE')]);
  });

  it('makes a segment of the contacts linked to a known issue, named by its number', async () => {
    const store = await openStore({ dataDir, log: silentLogger });
    const bugId = await store.transaction(async (tx) => {
      const bug = await tx.bugs.add({
        tracker: 'github',
        key: '42',
        url: 'https://github.com/harbour/shop/issues/42',
        title: 'Card payments fail',
        severity: 'high',
        createdAt: Date.now(),
      });
      return bug.id;
    });
    await store.close();
    const create = (bug: string) =>
      cli([
        'broadcast',
        'create',
        '--name',
        'Fixed',
        '--channel',
        'webchat',
        '--text',
        'Hi',
        '--bug',
        bug,
        '--data',
        dataDir,
        '--json',
        ...config,
      ]);
    const made = await create('#42');
    expect(made.stderr).toBe('');
    expect(JSON.parse(made.stdout)).toMatchObject({ segment: { bug: bugId } });
    const unknown = await create('#7');
    expect([unknown.code, unknown.stderr]).toEqual([1, expect.stringContaining('no known issue')]);
  });
});

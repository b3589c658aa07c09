import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { adapters } from '../../adapters/registry.ts';
import { copyExample, type TempBusiness } from '../settings/helpers.ts';
import { cli } from './helpers.ts';

let t: TempBusiness;
beforeEach(() => {
  t = copyExample();
});
afterEach(() => t.cleanup());

const dirs = () => ['--config', t.configDir, '--flows', t.flowsDir];
const edit = (file: string, from: string | RegExp, to: string) => {
  const path = join(t.configDir, file);
  const before = readFileSync(path, 'utf8');
  const after = before.replace(from, to);
  if (after === before) throw new Error(`${file}: nothing to replace`);
  t.write(`config/${file}`, after);
};

describe('touchpoint check: routes that lead nowhere', () => {
  it('refuses a web form enabled without the email channel its replies go out on, naming the fix', async () => {
    edit('channels.yaml', /webform:\n(\s+)enabled: false/, 'webform:\n$1enabled: true');
    const r = await cli(['check', ...dirs()], {}, adapters);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /channels\.yaml:\d+:\d+ \(channels\.webform\.enabled\): `webform` replies go out on `email`, which is not enabled.*Fix: enable and configure `channels\.email`, or set `channels\.webform\.enabled: false`/s,
    );
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { adapters } from '../../adapters/registry.ts';
import { renderSchemaFiles } from '../../src/settings/json-schema.ts';
import { copyExample, type TempBusiness, testAdapters } from '../settings/helpers.ts';
import { cli } from './helpers.ts';

let t: TempBusiness;
beforeEach(() => {
  t = copyExample();
});
afterEach(() => t.cleanup());

const dirs = () => ['--config', t.configDir, '--flows', t.flowsDir];

describe('touchpoint check', () => {
  it('passes the example business with a summary', async () => {
    const r = await cli(['check', ...dirs()], {}, adapters);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toContain('OK: Harbour Street Bakery');
    expect(r.stdout).toMatch(new RegExp(`channels: +${Object.keys(adapters).length} \\(enabled: webchat\\)`));
    expect(r.stdout).toMatch(/templates: +\d+/);
    expect(r.stdout).toMatch(/intents: +\d+/);
    expect(r.stdout).toMatch(/flows: +\d+ \(.*complaint.*pricing/);
  });

  it('prints the summary as JSON with --json', async () => {
    const r = await cli(['check', '--json', ...dirs()], {}, adapters);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      ok: true,
      business: 'Harbour Street Bakery',
      templates: expect.any(Number),
      intents: expect.any(Number),
    });
    const summary = JSON.parse(r.stdout) as { channels: Array<{ name: string; enabled: boolean }> };
    expect(summary.channels.filter((c) => c.enabled).map((c) => c.name)).toEqual(['webchat']);
    expect(summary.channels.map((c) => c.name).sort()).toEqual(Object.keys(adapters).sort());
  });

  it('checks the policy files too, against the templates', async () => {
    const triage = join(t.configDir, 'triage.yaml');
    t.write(
      'config/triage.yaml',
      readFileSync(triage, 'utf8').replace('acknowledge: after_hours_ack', 'acknowledge: after_hours_akc'),
    );
    const r = await cli(['check', ...dirs()], {}, adapters);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(
      /triage\.yaml:\d+:\d+ \(afterHours\.acknowledge\): template `after_hours_akc` does not exist/,
    );
  });

  it('prints every problem as file:line:col (path): message. Fix: … and exits 1', async () => {
    const router = t.write('config/router.yaml', 'server:\n  port: "abc"\n');
    const flow = t.write('flows/greet.yaml', 'id: greet\ntrigger: { intents: [greeting] }\nsteps:\n  - say: nope\n');
    const r = await cli(['check', ...dirs()]);
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n');
    expect(lines).toContain(
      `${router}:2:9 (server.port): expected a number, got "abc". Fix: write a number without quotes, e.g. 3000`,
    );
    expect(lines.some((l) => l.startsWith(`${flow}:4:10 (steps[0].say): template \`nope\` does not exist`))).toBe(true);
    expect(r.stdout).toContain('2 problems found.');
  });

  it('lists problems as JSON with --json', async () => {
    const file = t.write('config/business.yaml', 'name: A\ncolour: blue\n');
    const r = await cli(['check', '--json', ...dirs()]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({
      ok: false,
      problems: [
        expect.objectContaining({ file, line: 2, column: 1, path: 'colour', message: 'unknown setting `colour`' }),
      ],
    });
  });
});

describe('touchpoint start', () => {
  it('refuses to start with invalid settings, listing the problems', async () => {
    const file = t.write('config/router.yaml', 'pipeline:\n  leaseTimeout: soon\n');
    const r = await cli(['start', ...dirs(), '--data', join(t.root, 'data')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('error: the configuration has 1 problem');
    expect(r.stderr).toContain(`${file}:2:17 (pipeline.leaseTimeout): "soon" is not valid here. Fix: use a duration`);
  });

  it('rejects a PORT that is not a port number', async () => {
    const r = await cli(['start', ...dirs()], { PORT: 'eighty' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('PORT must be a port number');
  });

  it('rejects a Redis key prefix that would break the key layout, naming what is allowed', async () => {
    const r = await cli(['start', ...dirs()], { TOUCHPOINT_REDIS_PREFIX: 'shop:one' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('TOUCHPOINT_REDIS_PREFIX must be 1 to 64 letters, digits, "_", "-" or "."');
  });
});

describe('touchpoint schema', () => {
  it('writes the JSON Schemas', async () => {
    const out = join(t.root, 'schema');
    const r = await cli(['schema', '--write', out]);
    expect(r.code).toBe(0);
    const expected = renderSchemaFiles(testAdapters);
    expect(readdirSync(out).sort()).toEqual(Object.keys(expected).sort());
    expect(readFileSync(join(out, 'flow.json'), 'utf8')).toBe(expected['flow.json']);
  });

  it('needs --write', async () => {
    const r = await cli(['schema']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--write DIR is required');
  });
});

describe('the command line', () => {
  it('rejects an unknown command with the usage and exit code 2', async () => {
    const r = await cli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: unknown command "frobnicate"');
    expect(r.stderr).toContain('Usage: touchpoint <command>');
  });

  it('rejects an unknown flag with the command’s usage', async () => {
    const r = await cli(['check', '--strict-mode']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown option --strict-mode');
    expect(r.stderr).toContain('Usage: touchpoint check');
  });

  it('rejects a missing command and a stray argument', async () => {
    expect((await cli([])).code).toBe(2);
    const r = await cli(['check', 'extra']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unexpected argument "extra"');
  });

  it('prints help for the tool and for each command', async () => {
    const top = await cli(['--help']);
    expect(top.code).toBe(0);
    for (const name of ['start', 'check', 'schema', 'conversations', 'outbox']) {
      expect(top.stdout).toContain(`  ${name}`);
      const r = await cli([name, '--help']);
      expect(r.code, name).toBe(0);
      expect(r.stdout, name).toContain(`Usage: touchpoint ${name}`);
    }
    expect((await cli(['conversations', 'show', '--help'])).stdout).toContain(
      'Usage: touchpoint conversations show ID',
    );
    expect((await cli(['outbox', 'retry', '-h'])).stdout).toContain('Usage: touchpoint outbox retry');
  });

  it('reports errors as JSON on stderr with --json', async () => {
    const r = await cli(['conversations', 'list', '--json', '--limit', 'ten']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(JSON.parse(r.stderr)).toEqual({ error: { code: 'usage', message: expect.stringContaining('--limit') } });
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAuthenticator } from '../../src/access/principal.ts';
import { silentLogger } from '../../src/log.ts';
import { openStore } from '../../src/store/open.ts';
import { cli } from './helpers.ts';

let dataDir: string;

beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'tp-cli-agents-'));
  await (await openStore({ dataDir, log: silentLogger })).close();
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

/** Who the router's API would take this token for, against the same data folder. */
async function principalOf(token: string) {
  const store = await openStore({ dataDir, log: silentLogger });
  try {
    const authenticate = createAuthenticator({ bootstrapToken: 'bootstrap-token-0123456789', accounts: store });
    return await authenticate({ headers: { authorization: `Bearer ${token}` } });
  } finally {
    await store.close();
  }
}

describe('touchpoint agents and touchpoint audit', () => {
  it('creates an agent with a token shown once, lists, rotates and revokes it, each in the audit log', async () => {
    const made = await cli([
      'agents',
      'create',
      'ann',
      '--name',
      'Ann Lee',
      '--slack',
      'U0ANN',
      '--data',
      dataDir,
      '--json',
    ]);
    expect(made.code).toBe(0);
    const { token, agent } = JSON.parse(made.stdout) as { token: string; agent: Record<string, unknown> };
    expect(agent).toMatchObject({ id: 'ann', name: 'Ann Lee', role: 'agent', slackUser: 'U0ANN' });
    expect(await principalOf(token)).toEqual({ agentId: 'ann', name: 'Ann Lee', role: 'agent', via: 'api' });

    const listed = await cli(['agents', 'list', '--data', dataDir]);
    expect(listed.stdout).toMatch(/ann\s+Ann Lee\s+agent\s+U0ANN\s+1/);
    expect(listed.stdout).not.toContain(token.split('.')[1]);

    const rotated = await cli(['agents', 'rotate', 'ann', '--by', 'owner', '--data', dataDir, '--json']);
    const fresh = (JSON.parse(rotated.stdout) as { token: string }).token;
    expect(await principalOf(token)).toBeNull();
    expect(await principalOf(fresh)).toMatchObject({ agentId: 'ann' });

    const promoted = await cli(['agents', 'update', 'ann', '--role', 'admin', '--data', dataDir]);
    expect(promoted.stdout).toBe('agent ann: Ann Lee, admin, Slack U0ANN\n');
    expect(await principalOf(fresh)).toMatchObject({ role: 'admin' });

    expect((await cli(['agents', 'revoke', 'ann', '--data', dataDir])).stdout).toBe('1 token of ann revoked\n');
    expect(await principalOf(fresh)).toBeNull();

    const audit = await cli(['audit', '--data', dataDir, '--json']);
    const entries = (JSON.parse(audit.stdout) as { entries: Array<Record<string, unknown>> }).entries;
    expect(entries.map((e) => [e.action, e.actorId, e.via])).toEqual([
      ['token.revoke', 'cli', 'cli'],
      ['agent.update', 'cli', 'cli'],
      ['token.rotate', 'owner', 'cli'],
      ['agent.create', 'cli', 'cli'],
    ]);
    expect(audit.stdout).not.toContain(fresh.split('.')[1]);
    const human = await cli(['audit', '--action', 'token.rotate', '--data', dataDir]);
    expect(human.stdout).toMatch(/owner \(admin\)\s+cli\s+token\.rotate/);
  });

  it('refuses a taken id, an unknown agent, a bad role or a missing name with the reason', async () => {
    await cli(['agents', 'create', 'ann', '--name', 'Ann', '--data', dataDir]);
    const taken = await cli(['agents', 'create', 'ann', '--name', 'Ann again', '--data', dataDir]);
    expect(taken).toMatchObject({ code: 1 });
    expect(taken.stderr).toContain('agent "ann" or one linked to that Slack user exists already');
    const unknown = await cli(['agents', 'rotate', 'zed', '--data', dataDir]);
    expect(unknown.stderr).toContain('no agent "zed"');
    expect((await cli(['agents', 'create', 'bob', '--name', 'Bob', '--role', 'boss', '--data', dataDir])).code).toBe(2);
    expect((await cli(['agents', 'create', 'bob', '--data', dataDir])).stderr).toContain('--name is required');
    const badId = await cli(['agents', 'create', 'Bob Smith', '--name', 'Bob', '--data', dataDir]);
    expect(badId.stderr).toContain('must be lower-case letters');
  });
});

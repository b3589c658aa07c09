import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { adapters } from '../../adapters/registry.ts';
import { loadConfig } from '../../src/cli/load-config.ts';
import { main } from '../../src/cli/main.ts';
import { VirtualClock } from '../../src/clock.ts';
import { webchatHistory, webchatSays } from '../adapters/slack/support/desk-app.ts';
import { copyExample, type TempBusiness } from '../settings/helpers.ts';
import { type LocalApp, startLocalApp } from '../support/local-app.ts';

/**
 * Config reload without a restart: the example business on disk in a temporary
 * folder, the whole router in this process, the web chat as the customer and
 * `touchpoint reload` (the admin API) as the owner.
 */
describe('config reload', () => {
  let t: TempBusiness;
  let local: LocalApp;
  const load = () => loadConfig({ configDir: t.configDir, flowsDir: t.flowsDir, adapters, env: {} });
  const edit = (path: string, from: string | RegExp, to: string) => {
    const text = readFileSync(join(t.root, path), 'utf8');
    const changed = text.replace(from, to);
    expect(changed).not.toBe(text);
    t.write(path, changed);
  };
  const reloadCli = async () => {
    let output = '';
    const write = (s: string) => {
      output += s;
    };
    const io = { stdout: write, stderr: write };
    const code = await main(['reload', '--url', local.app.url, '--config', t.configDir, '--data', local.dir], {
      adapters,
      env: {},
      io,
    });
    return { code, output };
  };
  const reloadApi = async () => {
    const res = await fetch(`${local.app.url}/api/admin/reload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${local.app.adminToken}` },
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  /** What the bot answered to `text`, the last of the visitor's messages once it is there. */
  const ask = async (text: string, token?: string) => {
    const visitor = await webchatSays(local.app.url, text, token);
    await local.app.drain();
    const history = await webchatHistory(local.app.url, visitor);
    return { visitor, reply: history.at(-1) as string };
  };

  beforeEach(async () => {
    t = copyExample();
    // A Tuesday morning, while the bakery is open.
    const clock = new VirtualClock(new Date('2026-11-24T10:00:00Z'));
    local = await startLocalApp('tp-reload-', { settings: load(), adapters, clock, loadSettings: load });
  });
  afterEach(async () => {
    await local?.stop();
    t.cleanup();
  });

  it('applies a changed template to the next reply, through `touchpoint reload`', async () => {
    expect((await ask('thanks')).reply).toBe("You're welcome! Enjoy your bake.");
    edit('config/templates.yaml', `"You're welcome[[, {name}]]! Enjoy your bake."`, '"Any time, happy baking!"');
    const r = await reloadCli();
    expect(r.output).toContain('reloaded: templates.yaml');
    expect(r.code).toBe(0);
    expect((await ask('thanks')).reply).toBe('Any time, happy baking!');
  });

  it('refuses a broken config with file, line and fix, and the running config goes on answering', async () => {
    edit('flows/thanks.yaml', 'say: thanks', 'say: thanks_a_lot');
    const r = await reloadCli();
    expect(r.code).toBe(1);
    expect(r.output).toContain('reload refused');
    expect(r.output).toMatch(/flows\/thanks\.yaml:7:10 .*thanks_a_lot.*Fix:/);
    const api = await reloadApi();
    expect(api.status).toBe(422);
    expect(api.body).toMatchObject({ ok: false, problems: [expect.objectContaining({ line: 7 })] });
    expect((await ask('thanks')).reply).toBe("You're welcome! Enjoy your bake.");
  });

  it('says a channel change needs a restart, and does not apply it', async () => {
    edit('config/channels.yaml', 'title: Harbour Street Bakery', 'title: Harbour Street Cakes');
    const r = await reloadCli();
    expect(r.code).toBe(0);
    expect(r.output).toContain('needs a restart (not applied): channels.yaml (webchat)');
    const page = await (await fetch(`${local.app.url}/chat`)).text();
    expect(page).toContain('Harbour Street Bakery');
    expect(page).not.toContain('Harbour Street Cakes');
  });

  it('a conversation waiting in a changed flow goes on at the same step when the step is still a question', async () => {
    const first = await ask('I would like to order a wedding cake');
    expect(first.reply).toMatch(/Which day would you like to collect it/);
    edit('flows/ordering.yaml', 'timeout: 1d', 'timeout: 2d');
    expect((await reloadApi()).body).toMatchObject({ ok: true, applied: ['flows/'] });
    expect((await ask('next Saturday', first.visitor)).reply).toMatch(/How many portions/);
  });

  it('ends a wait whose step is no longer a question: the answer is routed as a new message', async () => {
    const first = await ask('I would like to order a wedding cake');
    expect(first.reply).toMatch(/Which day would you like to collect it/);
    const flow = readFileSync(join(t.flowsDir, 'ordering.yaml'), 'utf8');
    t.write(
      'flows/ordering.yaml',
      `${flow.slice(0, flow.indexOf('steps:'))}steps:\n  - set: { category: sales }\n  - say: handoff\n`,
    );
    expect((await reloadApi()).body).toMatchObject({ ok: true, applied: ['flows/'] });
    expect((await ask('next Saturday', first.visitor)).reply).toMatch(/^Sorry, I didn't catch that/);
  });
});

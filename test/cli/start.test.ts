import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppOptions } from '../../src/app.ts';
import { main } from '../../src/cli/main.ts';
import { copyExample, type TempBusiness, testAdapters } from '../settings/helpers.ts';

// The app itself is tested on its own; here only what `start` hands it and how it stops it.
const app = vi.hoisted(() => ({
  options: [] as unknown[],
  stopped: 0,
  reloads: 0,
  /** What the router's logger wrote, one JSON line each. */
  logged: [] as string[],
  onLogged: null as ((line: string) => void) | null,
}));
// The router's logger writes here, so a test reads the JSON lines it would print.
vi.mock('../../src/log.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/log.ts')>();
  const { pino } = await import('pino');
  return {
    ...real,
    createLogger: () =>
      pino(
        { level: 'info' },
        {
          write: (line: string) => {
            app.logged.push(line);
            app.onLogged?.(line);
          },
        },
      ),
  };
});
vi.mock('../../src/app.ts', () => ({
  startApp: async (opts: unknown) => {
    app.options.push(opts);
    return {
      url: 'http://127.0.0.1:40123',
      reload: () => {
        app.reloads++;
        return { ok: true, applied: [], needsRestart: [], problems: [], warnings: [] };
      },
      stop: async () => {
        app.stopped++;
      },
    };
  },
}));

let t: TempBusiness;
beforeEach(() => {
  t = copyExample();
  app.options.length = 0;
  app.stopped = 0;
  app.reloads = 0;
  app.logged.length = 0;
});
afterEach(() => t.cleanup());

/**
 * Runs `start` and, once it says it is running, calls the SIGTERM handler it
 * installed (only that one: the test runner's own handlers stay untouched).
 */
async function startThenStop(argv: string[], env: Record<string, string>, o: { hangUp?: boolean } = {}) {
  const before = {
    SIGINT: new Set(process.listeners('SIGINT')),
    SIGTERM: new Set(process.listeners('SIGTERM')),
    SIGHUP: new Set(process.listeners('SIGHUP')),
  };
  let output = '';
  const stopWhenRunning = (text: string) => {
    if (!text.includes('running at')) return;
    setImmediate(() => {
      if (o.hangUp) for (const l of process.listeners('SIGHUP')) if (!before.SIGHUP.has(l)) l('SIGHUP');
      for (const listener of process.listeners('SIGTERM')) {
        if (!before.SIGTERM.has(listener)) listener('SIGTERM');
      }
    });
  };
  app.onLogged = stopWhenRunning;
  const code = await main(argv, {
    adapters: testAdapters,
    // A terminal's plain notices unless the test asks for JSON logs.
    env: { LOG_FORMAT: 'pretty', ...env },
    io: {
      stdout: (text) => {
        output += text;
        stopWhenRunning(text);
      },
      stderr: (text) => {
        output += text;
      },
    },
  });
  const leftover = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).flatMap((s) =>
    process.listeners(s).filter((l) => !before[s].has(l)),
  );
  return { code, output, leftover };
}

describe('touchpoint start', () => {
  it('starts the app with the loaded settings and the environment’s conventions, and stops it on SIGTERM', async () => {
    const r = await startThenStop(
      ['start', '--config', t.configDir, '--flows', t.flowsDir, '--data', join(t.root, 'd')],
      { PORT: '8089', DATABASE_URL: 'postgres://127.0.0.1/test', REDIS_URL: 'redis://127.0.0.1:6379' },
    );
    expect(r.code).toBe(0);
    expect(r.output).toContain(
      'Touchpoint is running at http://127.0.0.1:40123 (web chat: http://127.0.0.1:40123/chat)',
    );
    expect(r.output).toContain('SIGTERM: stopping…');
    expect(r.leftover).toEqual([]);
    expect(app.stopped).toBe(1);
    const opts = app.options[0] as AppOptions;
    expect(opts).toMatchObject({
      port: 8089,
      databaseUrl: 'postgres://127.0.0.1/test',
      redisUrl: 'redis://127.0.0.1:6379',
      dataDir: join(t.root, 'd'),
      adapters: testAdapters,
    });
    expect(opts.settings.business.name).toBe('Harbour Street Bakery');
  });

  it('takes the data folder from TOUCHPOINT_DATA_DIR; no PORT, DATABASE_URL or REDIS_URL means null', async () => {
    const r = await startThenStop(['start', '--config', t.configDir, '--flows', t.flowsDir], {
      TOUCHPOINT_DATA_DIR: join(t.root, 'from-env'),
    });
    expect(r.code).toBe(0);
    expect(app.options[0]).toMatchObject({
      port: null,
      databaseUrl: null,
      redisUrl: null,
      dataDir: join(t.root, 'from-env'),
    });
  });

  it('reloads the config on SIGHUP with the same loader and folders, and stops listening for it on stop', async () => {
    const r = await startThenStop(['start', '--config', t.configDir, '--flows', t.flowsDir], {}, { hangUp: true });
    expect(r.code).toBe(0);
    expect(app.reloads).toBe(1);
    expect(r.leftover).toEqual([]);
    const opts = app.options[0] as AppOptions;
    t.write('config/templates.yaml', 'templates: {thanks: Cheers}\n');
    expect(() => opts.loadSettings?.()).toThrow(/templates\.yaml/);
  });

  it('with JSON logs (not a terminal), says everything as JSON log lines: nothing plain on stdout', async () => {
    const r = await startThenStop(['start', '--config', t.configDir, '--flows', t.flowsDir], { LOG_FORMAT: 'json' });
    expect(r.code).toBe(0);
    expect(r.output).toBe('');
    const messages = app.logged.map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(messages).toEqual([
      'Touchpoint is running at http://127.0.0.1:40123 (web chat: http://127.0.0.1:40123/chat). Press Ctrl+C to stop.',
      'SIGTERM: stopping…',
    ]);
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type App, type AppOptions, startApp } from '../../src/app.ts';
import { silentLogger } from '../../src/log.ts';

export interface LocalApp {
  app: App;
  dir: string;
  /** Stops the app, then removes its data folder. */
  stop(): Promise<void>;
}

/**
 * The whole router in this process: SQLite in a fresh temporary folder named
 * after `prefix`, any free port, no log output.
 */
export async function startLocalApp(
  prefix: string,
  o: Pick<AppOptions, 'settings' | 'adapters'> & Partial<Pick<AppOptions, 'clock' | 'log' | 'loadSettings'>>,
): Promise<LocalApp> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const removeDir = () => rm(dir, { recursive: true, force: true });
  let app: App;
  try {
    app = await startApp({ ...o, dataDir: dir, databaseUrl: null, port: 0, log: o.log ?? silentLogger });
    // The start-up credential checks call the fake providers: done before a test scripts their answers.
    await app.credentialsChecked();
  } catch (err) {
    await removeDir();
    throw err;
  }
  return {
    app,
    dir,
    async stop() {
      await app.stop();
      await removeDir();
    },
  };
}

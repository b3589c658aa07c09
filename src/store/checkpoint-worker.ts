/**
 * Runs in a worker thread (see checkpointer.ts): its own connection to the
 * SQLite file copies committed WAL frames into the database, so the router's
 * event loop never does it.
 */
import { DatabaseSync } from 'node:sqlite';
import { parentPort, workerData } from 'node:worker_threads';

const { file, everyMs } = workerData as { file: string; everyMs: number };
const db = new DatabaseSync(file);
// PASSIVE never waits for the writer: what it cannot copy now, it copies next time.
const checkpoint = db.prepare('pragma wal_checkpoint(PASSIVE)');
let failures = 0;

const timer = setInterval(() => {
  try {
    checkpoint.get();
    failures = 0;
  } catch (err) {
    // Reported once per run of failures: the main connection's own checkpoints are the backstop.
    if (failures++ === 0) parentPort?.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
}, everyMs);

parentPort?.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  db.close();
  parentPort?.close();
});

/**
 * Erases a contact in this process and dies by SIGKILL at a chosen point, as
 * a router killed mid-erasure would: STOP=request (after step 1, the job and
 * tombstones), STOP=rows (after step 2, rows gone and files still queued).
 * Env: DATA_DIR (SQLite), CONTACT.
 */
import { BOOTSTRAP_ADMIN } from '../../src/access/principal.ts';
import { silentLogger } from '../../src/log.ts';
import { finishErasure, requestErasure } from '../../src/privacy/erase.ts';
import { openStore } from '../../src/store/open.ts';

const store = await openStore({ dataDir: process.env.DATA_DIR as string, log: silentLogger });
const contact = process.env.CONTACT as string;
await requestErasure(store, contact, BOOTSTRAP_ADMIN, Date.now());
if (process.env.STOP === 'rows') await finishErasure(store, contact, Date.now());
process.kill(process.pid, 'SIGKILL');

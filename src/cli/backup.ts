import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { SQLITE_FILE } from '../store/open.ts';
import { helpOption, parseCommand, UsageError } from './args.ts';
import { type Command, databaseUrlOf, dataDirOf, dataOption } from './context.ts';

const usage = `Usage: touchpoint backup FILE [--data DIR]

Writes a consistent copy of the embedded SQLite store to FILE, also while the
router runs (SQLite's VACUUM INTO reads one snapshot; writers go on meanwhile).
FILE must not exist yet. With DATABASE_URL (PostgreSQL), use pg_dump instead.

Options:
  --data DIR     data folder of the embedded store (default: $TOUCHPOINT_DATA_DIR or data)`;

export const backupCommand: Command = {
  usage,
  async run(args, ctx) {
    const { values, positionals, help } = parseCommand(args, { ...helpOption, ...dataOption }, usage, {
      min: 1,
      max: 1,
    });
    if (help) {
      ctx.out.help(usage);
      return 0;
    }
    const [target] = positionals;
    if (!target) throw new UsageError('name one FILE to write the copy to', usage);
    if (databaseUrlOf(ctx)) throw new UsageError('DATABASE_URL is set: back PostgreSQL up with pg_dump', usage);
    const source = join(dataDirOf(ctx, values.data), SQLITE_FILE);
    if (!existsSync(source)) throw new UsageError(`no store at ${source}: pass --data DIR`, usage);
    const file = resolve(target);
    if (existsSync(file)) throw new UsageError(`${file} exists already: name a new file`, usage);
    const db = new DatabaseSync(source, { readOnly: true });
    try {
      // A busy writer holds its lock briefly: wait for it rather than fail.
      db.exec('PRAGMA busy_timeout = 10000');
      db.prepare('VACUUM INTO ?').run(file);
    } finally {
      db.close();
    }
    ctx.out.info(`backed up ${source} to ${file}`);
    return 0;
  },
};

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderSchemaFiles } from '../settings/json-schema.ts';
import { helpOption, parseCommand, UsageError } from './args.ts';
import type { Command } from './context.ts';

const usage = `Usage: touchpoint schema --write DIR

Writes the JSON Schemas of the config files and of flow files (for editor
completion and validation) into DIR, e.g. config/schema. Point a YAML file at
one with a first line such as:
  # yaml-language-server: $schema=./schema/business.json

Options:
  --write DIR   folder to write the .json files to`;

export const schemaCommand: Command = {
  usage,
  async run(args, ctx) {
    const { values, help } = parseCommand(args, { ...helpOption, write: { type: 'string' } }, usage);
    if (help) {
      ctx.out.help(usage);
      return 0;
    }
    if (!values.write) throw new UsageError('--write DIR is required', usage);
    const files = renderSchemaFiles(ctx.adapters);
    mkdirSync(values.write, { recursive: true });
    for (const [name, text] of Object.entries(files)) writeFileSync(join(values.write, name), text);
    ctx.out.info(
      `wrote ${Object.keys(files).length} schema files to ${values.write}: ${Object.keys(files).join(', ')}`,
    );
    return 0;
  },
};

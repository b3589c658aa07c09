import { z } from 'zod';
import type { AdapterRegistry } from '../channel/contract.ts';
import { flowFile } from './flow-schema.ts';
import { channelBlock, configFiles } from './schema.ts';

/**
 * JSON Schemas for editors (yaml-language-server), generated from the same
 * zod definitions that validate at start. channels.yaml gets one block per
 * installed adapter, so an editor completes each channel's own settings too.
 */

type JsonSchema = Record<string, unknown>;

const OPTIONS = { target: 'draft-07', io: 'input', unrepresentable: 'any', reused: 'inline' } as const;

function toJson(schema: z.core.$ZodType): JsonSchema {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, OPTIONS) as JsonSchema;
  return rest;
}

function document(title: string, body: JsonSchema): JsonSchema {
  return { $schema: 'http://json-schema.org/draft-07/schema#', title, ...body };
}

/** A channel block: the core keys plus the adapter's own settings. */
function channelJson(settings: z.core.$ZodType): JsonSchema {
  const core = toJson(channelBlock);
  const own = toJson(settings);
  const coreProps = (core.properties ?? {}) as JsonSchema;
  if (own.type === 'object') {
    return { ...own, properties: { ...coreProps, ...((own.properties ?? {}) as JsonSchema) } };
  }
  return { allOf: [core, own] };
}

function channelsJson(adapters: AdapterRegistry): JsonSchema {
  const names = Object.keys(adapters).sort();
  const blocks = Object.fromEntries(
    names.map((name) => [name, channelJson((adapters[name] as { settings: z.ZodType }).settings)]),
  );
  const channels: JsonSchema = {
    type: 'object',
    description: 'One block per channel, named after its adapter',
    properties: blocks,
    additionalProperties: names.length > 0 ? false : toJson(channelBlock),
  };
  return { type: 'object', properties: { channels }, additionalProperties: false };
}

/** File name (in config/schema/) → JSON Schema. */
export function generateSchemas(adapters: AdapterRegistry): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  for (const [file, schema] of Object.entries(configFiles)) {
    const name = file.replace(/\.yaml$/, '.json');
    const body = file === 'channels.yaml' ? channelsJson(adapters) : toJson(schema);
    out[name] = document(`Touchpoint config/${file}`, body);
  }
  out['flow.json'] = document('Touchpoint flow (flows/*.yaml)', toJson(flowFile));
  return out;
}

/** The schema files as they are written to disk: stable, pretty-printed JSON. */
export function renderSchemaFiles(adapters: AdapterRegistry): Record<string, string> {
  return Object.fromEntries(
    Object.entries(generateSchemas(adapters)).map(([name, schema]) => [name, `${JSON.stringify(schema, null, 2)}\n`]),
  );
}

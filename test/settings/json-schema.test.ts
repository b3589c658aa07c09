import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adapters } from '../../adapters/registry.ts';
import { generateSchemas, renderSchemaFiles } from '../../src/settings/json-schema.ts';
import { repoRoot, testAdapters } from './helpers.ts';

const schemaDir = join(repoRoot, 'config/schema');

describe('JSON Schemas', () => {
  it('committed in config/schema are the ones generated now (run `npm run schema` after changing a schema)', () => {
    const fresh = renderSchemaFiles(adapters);
    expect(readdirSync(schemaDir).sort()).toEqual(Object.keys(fresh).sort());
    for (const [name, text] of Object.entries(fresh)) {
      expect(readFileSync(join(schemaDir, name), 'utf8'), name).toBe(text);
    }
  });

  it('give channels.yaml one block per adapter: core keys plus the adapter’s own', () => {
    const channels = generateSchemas(testAdapters)['channels.json'] as {
      properties: {
        channels: {
          properties: Record<string, { properties: object; additionalProperties: unknown }>;
          additionalProperties: unknown;
        };
      };
    };
    const blocks = channels.properties.channels;
    expect(Object.keys(blocks.properties).sort()).toEqual(Object.keys(testAdapters).sort());
    expect(blocks.additionalProperties).toBe(false);
    expect(Object.keys(blocks.properties.webchat?.properties ?? {})).toEqual(['enabled', 'rateLimit', 'title']);
    expect(blocks.properties.webchat?.additionalProperties).toBe(false);
  });

  it('describe the flow format, fallback trigger included', () => {
    const flow = generateSchemas(testAdapters)['flow.json'] as {
      required: string[];
      properties: { trigger: { properties: Record<string, unknown> } };
    };
    expect(flow.required).toEqual(['id', 'trigger', 'steps']);
    expect(flow.properties.trigger.properties.fallback).toMatchObject({ type: 'boolean', default: false });
  });

  it('are referenced from the first line of every example file', () => {
    const files = [
      ...readdirSync(join(repoRoot, 'config'))
        .filter((n) => n.endsWith('.yaml'))
        .map((n) => join(repoRoot, 'config', n)),
      ...readdirSync(join(repoRoot, 'flows')).map((n) => join(repoRoot, 'flows', n)),
    ];
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const first = readFileSync(file, 'utf8').split('\n')[0] ?? '';
      const m = /^# yaml-language-server: \$schema=(\S+)$/.exec(first);
      expect(m, file).not.toBeNull();
      expect(existsSync(join(dirname(file), m?.[1] ?? '')), file).toBe(true);
    }
  });
});

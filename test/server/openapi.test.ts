import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webchatDefinition } from '../../adapters/webchat/definition.ts';
import { webchatSettings } from '../../adapters/webchat/settings.ts';
import type { App } from '../../src/app.ts';
import { VirtualClock } from '../../src/clock.ts';
import { startLocalApp } from '../support/local-app.ts';
import { testSettings } from '../support/settings.ts';

type Operation = {
  summary: string;
  security: unknown[];
  parameters: Array<{ name: string; in: string; required: boolean }>;
  requestBody?: { required: boolean; content: { 'application/json': { schema: Record<string, unknown> } } };
};
type Doc = { openapi: string; paths: Record<string, Record<string, Operation>> };

/** POST routes that take no body at all. */
const NO_BODY = new Set(['POST /api/admin/reload']);

/**
 * GET /api/openapi.json against the router's own route table: every /api
 * route is described, with the zod schemas its handler validates with, and
 * the document is valid OpenAPI 3.1.
 */
describe('the OpenAPI description', () => {
  let app: App;
  let stop: (() => Promise<void>) | undefined;
  let doc: Doc;

  beforeAll(async () => {
    ({ app, stop } = await startLocalApp('tp-openapi-', {
      settings: testSettings({ channels: { webchat: { enabled: true, settings: webchatSettings.parse({}) } } }),
      adapters: { webchat: webchatDefinition },
      // Test mode adds the clock routes: they must be described too.
      clock: new VirtualClock(),
    }));
    const res = await fetch(`${app.url}/api/openapi.json`);
    expect(res.status).toBe(200);
    doc = (await res.json()) as Doc;
  });
  afterAll(async () => {
    await stop?.();
  });

  it('is valid OpenAPI 3.1', async () => {
    const validator = new Validator();
    const result = await validator.validate(doc as unknown as Record<string, unknown>);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('holds every /api route of the route table, each with a summary and its role', () => {
    const api = app.routes().filter((r) => r.pattern.startsWith('/api/'));
    expect(api.length).toBeGreaterThan(30);
    for (const route of api) {
      const op = doc.paths[route.pattern.replace(/:(\w+)/g, '{$1}')]?.[route.method.toLowerCase()];
      expect(op, `${route.method} ${route.pattern}`).toBeDefined();
      expect(op?.summary, `${route.method} ${route.pattern} has no doc.summary`).not.toBe('');
      expect(op?.security).toEqual(route.auth === 'none' ? [] : [{ bearer: [] }]);
      if (['POST', 'PATCH', 'PUT'].includes(route.method) && !NO_BODY.has(`${route.method} ${route.pattern}`))
        expect(op?.requestBody, `${route.method} ${route.pattern} declares no body schema`).toBeDefined();
    }
    const described = Object.values(doc.paths).reduce((n, ops) => n + Object.keys(ops).length, 0);
    expect(described).toBe(api.length);
  });

  it('describes bodies and queries with the schemas that validate them', async () => {
    const reply = doc.paths['/api/conversations/{id}/reply']?.post;
    expect(reply?.parameters).toEqual([{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }]);
    expect(reply?.requestBody?.content['application/json'].schema).toMatchObject({
      type: 'object',
      properties: { text: { type: 'string', minLength: 1, maxLength: 20_000 }, internal: { type: 'boolean' } },
      required: ['text'],
      additionalProperties: false,
    });
    const list = doc.paths['/api/conversations']?.get;
    expect(list?.parameters.map((p) => p.name)).toEqual(['status', 'channel', 'limit', 'before']);
    // What the description says is what the route checks: a body it does not describe is refused.
    const res = await fetch(`${app.url}/api/conversations/nope/reply`, {
      method: 'POST',
      headers: { authorization: `Bearer ${app.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'hi', colour: 'red' }),
    });
    expect(res.status).toBe(400);
  });
});

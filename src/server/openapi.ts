import { z } from 'zod';
import type { RouteDoc, RouteRegistry } from '../http/http-types.ts';
import type { Route } from './route-table.ts';

type Json = Record<string, unknown>;

/** What the error answers of the API look like (src/server/respond.ts). */
const errorSchema = {
  type: 'object',
  properties: {
    error: { type: 'string', description: 'A stable code from the error taxonomy' },
    reason: { type: 'string' },
  },
  required: ['error'],
};

/** Input side of a zod schema as JSON Schema 2020-12 (what OpenAPI 3.1 speaks); transforms show what they accept. */
const jsonSchema = (schema: z.ZodType): Json => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
  return rest;
};

function queryParameters(query: z.ZodType): Json[] {
  const s = jsonSchema(query) as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(s.properties ?? {}).map(([name, schema]) => ({
    name,
    in: 'query',
    required: s.required?.includes(name) ?? false,
    schema,
    ...(typeof schema.description === 'string' ? { description: schema.description } : {}),
  }));
}

function operation(route: Route, doc: RouteDoc | undefined): Json {
  const params = [...route.pattern.matchAll(/:(\w+)/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  const ok = String(doc?.status ?? 200);
  const responses: Json = {
    [ok]: { description: 'Done', content: { 'application/json': { schema: {} } } },
    '400': { $ref: '#/components/responses/BadRequest' },
  };
  if (route.auth !== 'none') {
    responses['401'] = { $ref: '#/components/responses/Unauthorized' };
    responses['403'] = { $ref: '#/components/responses/Forbidden' };
  }
  return {
    operationId: `${route.method.toLowerCase()}${route.pattern.replace(/\/:?(\w)/g, (_m, c: string) => c.toUpperCase()).replace(/\W/g, '')}`,
    summary: doc?.summary ?? '',
    ...(route.auth === 'none' ? { security: [] } : { 'x-touchpoint-role': route.auth, security: [{ bearer: [] }] }),
    parameters: [...params, ...(doc?.query ? queryParameters(doc.query) : [])],
    ...(doc?.body
      ? {
          requestBody: {
            required: doc.optionalBody !== true,
            content: { 'application/json': { schema: jsonSchema(doc.body) } },
          },
        }
      : {}),
    responses,
  };
}

/**
 * The OpenAPI 3.1 description of the JSON API (`/api/…`), built from the
 * route table itself: every route registered is in it, with the zod schemas
 * its handler validates bodies and queries with.
 */
export function openApiDocument(routes: readonly Route[], info: { title: string; version: string }): Json {
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    if (!route.pattern.startsWith('/api/') || route.method === 'HEAD') continue;
    const path = route.pattern.replace(/:(\w+)/g, '{$1}');
    paths[path] ??= {};
    (paths[path] as Json)[route.method.toLowerCase()] = operation(route, route.doc);
  }
  const answer = (description: string) => ({
    description,
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
  });
  return {
    openapi: '3.1.0',
    info: { ...info, description: 'The admin and agent API of Touchpoint. Tokens: `touchpoint agents …`.' },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An agent or admin API token' } },
      schemas: { Error: errorSchema },
      responses: {
        BadRequest: answer('The request is not valid; `reason` says what'),
        Unauthorized: answer('No token, or an unknown, rotated or revoked one'),
        Forbidden: answer('The token’s role may not do this; `reason` says why'),
      },
    },
  };
}

/** `GET /api/openapi.json`, read from the table at each request: routes added later (a test clock) are in it too. */
export function registerOpenApiRoute(
  routes: RouteRegistry & { list(): Route[] },
  info: { title: string; version: string },
): void {
  routes.add('GET', '/api/openapi.json', () => ({ status: 200, body: openApiDocument(routes.list(), info) }), {
    doc: { summary: 'This description of the API (OpenAPI 3.1)' },
  });
}

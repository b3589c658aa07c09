import { z } from 'zod';
import type { Clock } from '../clock.ts';
import { unauthorized } from '../errors.ts';
import type { HttpRequest, Principal, RouteRegistry } from '../http/http-types.ts';
import { jsonBody, optionalJsonBody, queryObject, validate } from '../http/json-body.ts';
import type { TemplateDef } from '../settings/schema.ts';
import type { Store } from '../store/contract.ts';
import { type Control, controlBroadcast, createBroadcast, getView, viewOf } from './actions.ts';
import { createBody } from './definition.ts';

const adminOnly = { auth: 'admin', maxBodyBytes: 64 * 1024 } as const;

const who = (req: HttpRequest): Principal => {
  if (!req.principal) throw unauthorized('this route needs an authenticated request');
  return req.principal;
};

export interface BroadcastApiDeps {
  store: Store;
  clock: Clock;
  /** The templates and enabled channels in force (a reload shows at the next request). */
  templates: () => Record<string, TemplateDef>;
  channels: () => readonly string[];
  /** A broadcast was created or resumed: the runner looks now. */
  onChange: () => void;
  /** A pause, resume or cancel scheduled the desk's summary: the timers look now. */
  onTimers: () => void;
}

/**
 * Broadcasts, for admins: `POST /api/broadcasts` creates one, `GET` lists
 * them or shows one with its progress, `POST …/:id/pause|resume|cancel`.
 */
const listQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) });
const emptyBody = z.object({}).strict();

export function registerBroadcastApi(routes: RouteRegistry, deps: BroadcastApiDeps): void {
  const { store, clock } = deps;
  routes.add(
    'POST',
    '/api/broadcasts',
    async (req) => {
      const body = jsonBody(req, createBody);
      const view = await createBroadcast(store, body, {
        templates: deps.templates(),
        channels: deps.channels(),
        actor: who(req),
        now: clock.now(),
      });
      deps.onChange();
      return { status: 201, body: view };
    },
    { ...adminOnly, doc: { summary: 'Create a broadcast to a segment', body: createBody, status: 201 } },
  );
  routes.add(
    'GET',
    '/api/broadcasts',
    async (req) => {
      const q = validate(queryObject(req), listQuery, 'query');
      const list = await store.listBroadcasts(q.limit);
      return { status: 200, body: { broadcasts: await Promise.all(list.map((b) => viewOf(store, b))) } };
    },
    { ...adminOnly, doc: { summary: 'Broadcasts, newest first, with their progress', query: listQuery } },
  );
  routes.add(
    'GET',
    '/api/broadcasts/:id',
    async (req) => ({ status: 200, body: await getView(store, req.params.id as string) }),
    { ...adminOnly, doc: { summary: 'One broadcast with its progress' } },
  );
  for (const control of ['pause', 'resume', 'cancel'] as const satisfies Control[]) {
    routes.add(
      'POST',
      `/api/broadcasts/:id/${control}`,
      async (req) => {
        optionalJsonBody(req, emptyBody);
        const view = await controlBroadcast(store, req.params.id as string, control, {
          actor: who(req),
          now: clock.now(),
        });
        if (control === 'resume') deps.onChange();
        deps.onTimers();
        return { status: 200, body: view };
      },
      {
        ...adminOnly,
        doc: {
          summary: `${control[0]?.toUpperCase()}${control.slice(1)} a broadcast`,
          body: emptyBody,
          optionalBody: true,
        },
      },
    );
  }
}

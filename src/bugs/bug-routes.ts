import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { actingAs } from '../access/principal.ts';
import { HttpError, notFound } from '../errors.ts';
import type { HttpRequest, RouteRegistry } from '../http/http-types.ts';
import { jsonBody, optionalJsonBody, parseJson } from '../http/json-body.ts';
import type { BugDesk } from './bug-desk.ts';

const agent = { auth: 'agent', maxBodyBytes: 64 * 1024 } as const;

const logBody = z
  .object({
    title: z.string().trim().min(1, 'must not be empty').max(250),
    severity: z.enum(['low', 'normal', 'high', 'critical']).default('normal'),
    steps: z.string().trim().max(20_000).default(''),
    by: z.string().trim().min(1).max(200).optional(),
  })
  .strict();
const byBody = z.object({ by: z.string().trim().min(1).max(200).optional() }).strict();

/** GitHub's `issues` webhook, the fields read from it. */
const githubIssues = z.object({
  action: z.string(),
  issue: z.object({ number: z.number().int() }),
  repository: z.object({ full_name: z.string() }).optional(),
});

/** `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`, compared in constant time. */
export function githubSignatureValid(secret: string, header: string | undefined, raw: Buffer): boolean {
  if (!header?.startsWith('sha256=')) return false;
  const want = createHmac('sha256', secret).update(raw).digest();
  const got = Buffer.from(header.slice('sha256='.length), 'hex');
  return got.length === want.length && timingSafeEqual(got, want);
}

/**
 * The admin API of bugs (log one from a conversation, link a conversation to one, list a
 * conversation's) and GitHub's signed `issues` webhook, which reports a closed issue as fixed.
 */
export function registerBugRoutes(
  routes: RouteRegistry,
  desk: BugDesk,
  github: () => { secret: string | null; project: string } | null,
): void {
  routes.add(
    'POST',
    '/api/conversations/:id/bugs',
    async (req) => {
      const b = jsonBody(req, logBody);
      const bug = await desk.log(
        req.params.id as string,
        { title: b.title, severity: b.severity, steps: b.steps },
        actingAs(req.principal, b.by),
      );
      return { status: 201, body: bug };
    },
    { ...agent, doc: { summary: 'Log a bug in the tracker for this conversation', body: logBody, status: 201 } },
  );
  routes.add(
    'GET',
    '/api/conversations/:id/bugs',
    async (req) => ({ status: 200, body: { bugs: await desk.list(req.params.id as string) } }),
    { ...agent, doc: { summary: 'The bugs this conversation is linked to' } },
  );
  routes.add(
    'POST',
    '/api/conversations/:id/bugs/:bugId',
    async (req) => {
      const b = optionalJsonBody(req, byBody);
      const bug = await desk.link(req.params.id as string, req.params.bugId as string, actingAs(req.principal, b.by));
      return { status: 200, body: bug };
    },
    { ...agent, doc: { summary: 'Link this conversation to a bug already logged', body: byBody, optionalBody: true } },
  );
  routes.add(
    'POST',
    '/webhooks/github',
    async (req: HttpRequest) => {
      const gh = github();
      if (!gh?.secret) throw notFound('no GitHub bug tracker with a webhookSecret is configured');
      const header = req.headers['x-hub-signature-256'];
      if (!githubSignatureValid(gh.secret, typeof header === 'string' ? header : undefined, req.rawBody)) {
        throw new HttpError(401, 'unauthorized', 'X-Hub-Signature-256 is missing or does not match the body');
      }
      const event = req.headers['x-github-event'];
      if (event !== 'issues') return { status: 202, body: { ignored: `event ${String(event)}` } };
      const hook = githubIssues.safeParse(parseJson(req.rawBody));
      if (!hook.success) throw new HttpError(400, 'invalid_request', 'not an issues event: issue.number is missing');
      const { action, issue, repository } = hook.data;
      if (action !== 'closed') return { status: 202, body: { ignored: `action ${action}` } };
      if (repository && repository.full_name.toLowerCase() !== gh.project.toLowerCase()) {
        return { status: 202, body: { ignored: `repository ${repository.full_name}` } };
      }
      const told = await desk.fixed('github', String(issue.number));
      return { status: 200, body: { told } };
    },
    { auth: 'none', maxBodyBytes: 1024 * 1024 },
  );
}

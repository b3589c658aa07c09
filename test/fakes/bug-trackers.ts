import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * GitHub Issues and Redmine as their REST APIs answer, on loopback:
 * GitHub `POST /repos/{owner}/{repo}/issues` (Bearer token) → 201 with
 * `number` and `html_url`, `GET /repos/{owner}/{repo}/issues/{n}` → `title`, `state`, `html_url`;
 * Redmine `POST /issues.json` (X-Redmine-API-Key) → 201 `{issue: {id, …}}`,
 * `GET /issues/{id}.json` → `{issue: {status: {id, name, is_closed}}}`.
 */
export interface FakeIssue {
  key: string;
  title: string;
  body: string;
  closed: boolean;
  fields: Record<string, unknown>;
}

export interface FakeTracker {
  url: string;
  issues: FakeIssue[];
  /** Requests refused for a wrong token. */
  refused: number;
  /** Statuses the next requests are answered with instead (a tracker that is down: 502, 503 …), first first. */
  failNext: number[];
  close(): Promise<void>;
}

function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        resolve(chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {});
      } catch (err) {
        reject(err);
      }
    });
  });
}

const json = (res: ServerResponse, status: number, body: unknown) =>
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));

async function listen(server: Server): Promise<string> {
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export async function startFakeGitHub(o: { repo: string; token: string }): Promise<FakeTracker> {
  const t: FakeTracker = { url: '', issues: [], refused: 0, failNext: [], close: async () => {} };
  const server = createServer(async (req, res) => {
    const failure = t.failNext.shift();
    if (failure) return json(res, failure, { message: 'Server Error' });
    if (req.headers.authorization !== `Bearer ${o.token}`) {
      t.refused++;
      return json(res, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
    }
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method === 'POST' && path === `/repos/${o.repo}/issues`) {
      const b = await readJson(req);
      if (typeof b.title !== 'string' || !b.title) return json(res, 422, { message: 'Validation Failed' });
      const number = t.issues.length + 1;
      t.issues.push({ key: String(number), title: b.title, body: String(b.body ?? ''), closed: false, fields: b });
      return json(res, 201, {
        id: 1000 + number,
        number,
        title: b.title,
        state: 'open',
        html_url: `https://github.com/${o.repo}/issues/${number}`,
        url: `${t.url}/repos/${o.repo}/issues/${number}`,
      });
    }
    const one = path.match(/^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)$/);
    const issue = one && t.issues.find((i) => i.key === one[1]);
    if (req.method === 'GET' && issue)
      return json(res, 200, {
        number: Number(issue.key),
        title: issue.title,
        state: issue.closed ? 'closed' : 'open',
        html_url: `https://github.com/${o.repo}/issues/${issue.key}`,
      });
    return json(res, 404, { message: 'Not Found' });
  });
  t.url = await listen(server);
  t.close = () => new Promise<void>((done) => server.close(() => done()));
  return t;
}

export async function startFakeRedmine(o: { project: string; key: string }): Promise<FakeTracker> {
  const t: FakeTracker = { url: '', issues: [], refused: 0, failNext: [], close: async () => {} };
  const server = createServer(async (req, res) => {
    const failure = t.failNext.shift();
    if (failure) return res.writeHead(failure).end();
    if (req.headers['x-redmine-api-key'] !== o.key) {
      t.refused++;
      return res.writeHead(401).end();
    }
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method === 'POST' && path === '/issues.json') {
      const b = (await readJson(req)).issue as Record<string, unknown> | undefined;
      if (!b || b.project_id !== o.project || typeof b.subject !== 'string' || !b.subject) {
        return json(res, 422, { errors: ['Subject cannot be blank'] });
      }
      const id = 100 + t.issues.length + 1;
      t.issues.push({ key: String(id), title: b.subject, body: String(b.description ?? ''), closed: false, fields: b });
      return json(res, 201, {
        issue: {
          id,
          project: { id: 1, name: o.project },
          subject: b.subject,
          status: { id: 1, name: 'New', is_closed: false },
        },
      });
    }
    const one = path.match(/^\/issues\/(\d+)\.json$/);
    const issue = one && t.issues.find((i) => i.key === one[1]);
    if (req.method === 'GET' && issue) {
      const status = issue.closed
        ? { id: 5, name: 'Closed', is_closed: true }
        : { id: 2, name: 'In Progress', is_closed: false };
      return json(res, 200, { issue: { id: Number(issue.key), subject: issue.title, status } });
    }
    return res.writeHead(404).end();
  });
  t.url = await listen(server);
  t.close = () => new Promise<void>((done) => server.close(() => done()));
  return t;
}

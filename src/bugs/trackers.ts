import { HttpError } from '../errors.ts';

/** A bug as the desk files it. */
export interface NewBug {
  title: string;
  severity: 'low' | 'normal' | 'high' | 'critical';
  steps: string;
  /** Where an agent finds the conversations (the desk thread), added to the description. */
  context: string;
}

export interface Tracker {
  readonly kind: 'github' | 'redmine';
  create(bug: NewBug): Promise<{ key: string; url: string }>;
  /** Whether the issue is closed now (Redmine polling). */
  isClosed(key: string): Promise<boolean>;
  /** An issue filed outside Touchpoint, which an agent links a conversation to; a 404 is a TouchpointError. */
  get(key: string): Promise<TrackerIssue>;
}

export interface TrackerIssue {
  key: string;
  url: string;
  title: string;
  closed: boolean;
}

export interface TrackerSettings {
  kind: 'github' | 'redmine';
  baseUrl: string;
  project: string;
  token: string;
}

const TIMEOUT_MS = 15_000;

/** GitHub Issues (`POST /repos/{owner}/{repo}/issues`) or Redmine (`POST /issues.json`, `GET /issues/{id}.json`). */
export function createTracker(s: TrackerSettings): Tracker {
  const base = s.baseUrl.replace(/\/+$/, '');
  if (s.kind === 'github') {
    const headers = {
      accept: 'application/vnd.github+json',
      authorization: `Bearer ${s.token}`,
      'x-github-api-version': '2022-11-28',
      'content-type': 'application/json',
      'user-agent': 'Touchpoint',
    };
    const get = async (key: string): Promise<TrackerIssue> => {
      const issue = await call<{ number: number; title: string; html_url: string; state: string }>(
        `${base}/repos/${s.project}/issues/${encodeURIComponent(key)}`,
        { headers },
      );
      return { key: String(issue.number), url: issue.html_url, title: issue.title, closed: issue.state === 'closed' };
    };
    return {
      kind: 'github',
      async create(bug) {
        const issue = await call<{ number: number; html_url: string }>(`${base}/repos/${s.project}/issues`, {
          method: 'POST',
          headers,
          body: JSON.stringify({
            title: bug.title,
            body: `**Severity:** ${bug.severity}\n\n**Steps to reproduce**\n\n${bug.steps}\n\n${bug.context}`,
            labels: ['bug', `severity:${bug.severity}`],
          }),
        });
        return { key: String(issue.number), url: issue.html_url };
      },
      isClosed: async (key) => (await get(key)).closed,
      get,
    };
  }
  const headers = { 'x-redmine-api-key': s.token, 'content-type': 'application/json' };
  const get = async (key: string): Promise<TrackerIssue> => {
    const { issue } = await call<{
      issue: { id: number; subject: string; status: { name: string; is_closed?: boolean } };
    }>(`${base}/issues/${encodeURIComponent(key)}.json`, { headers });
    // Redmine 5.1+ says whether the status closes the issue; older ones only name it.
    const closed =
      issue.status.is_closed ?? ['closed', 'resolved', 'rejected'].includes(issue.status.name.toLowerCase());
    return { key: String(issue.id), url: `${base}/issues/${issue.id}`, title: issue.subject, closed };
  };
  return {
    kind: 'redmine',
    async create(bug) {
      const { issue } = await call<{ issue: { id: number } }>(`${base}/issues.json`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          issue: {
            project_id: s.project,
            subject: bug.title,
            description: `Severity: ${bug.severity}\n\nSteps to reproduce:\n${bug.steps}\n\n${bug.context}`,
          },
        }),
      });
      return { key: String(issue.id), url: `${base}/issues/${issue.id}` };
    },
    isClosed: async (key) => (await get(key)).closed,
    get,
  };
}

async function call<T>(url: string, init: RequestInit): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (err) {
    throw new HttpError(502, 'tracker_unreachable', `the bug tracker did not answer: ${(err as Error).message}`);
  }
  const text = await res.text();
  if (res.status === 404) throw new HttpError(404, 'not_found', 'the bug tracker has no such issue');
  if (!res.ok) {
    throw new HttpError(502, 'tracker_refused', `the bug tracker answered ${res.status}: ${text.slice(0, 200)}`);
  }
  return JSON.parse(text) as T;
}

/** The tracker of the config in force, made once per config. */
export function trackerOf(current: () => TrackerSettings | undefined): () => Tracker | null {
  const made = new WeakMap<TrackerSettings, Tracker>();
  return () => {
    const s = current();
    if (!s) return null;
    let t = made.get(s);
    if (!t) {
      t = createTracker(s);
      made.set(s, t);
    }
    return t;
  };
}

import { rmSync } from 'node:fs';
import { adapters } from '../../adapters/registry.ts';
import { createAuthenticator } from '../../src/access/principal.ts';
import { loadConfig } from '../../src/cli/load-config.ts';
import { registerDashboard } from '../../src/dashboard/routes.ts';
import { silentLogger } from '../../src/log.ts';
import { storeClosedDays } from '../../src/metrics/kpi-load.ts';
import { loadInputs } from '../../src/metrics/kpis.ts';
import { createHttpServer } from '../../src/server/http-server.ts';
import { policyFiles } from '../../src/settings/policy-schema.ts';
import { openStore } from '../../src/store/open.ts';
import { signIn } from '../dashboard/harness.ts';
import { weekdayCalendar } from '../support/business.ts';
import { seededStore } from './report-bench.ts';

/**
 * Every dashboard page over the `reports` case's synthetic SQLite store
 * (BENCH_REPORT_CONVERSATIONS, default 100,000 conversations with 10
 * messages each), fetched over HTTP with a session as a browser would:
 * the time to the last byte, first fetch and the next one.
 */

const DAY = 86_400_000;
const TOKEN = 'bench-dashboard-token-0123456789';

export interface DashboardBench {
  conversations: number;
  messages: number;
  seedSeconds: number;
  cached: boolean;
  pages: { name: string; path: string; firstMs: number; nextMs: number; bytes: number }[];
}

export async function benchDashboard(): Promise<DashboardBench> {
  const n = Number(process.env.BENCH_REPORT_CONVERSATIONS ?? 100_000);
  const seeded = await seededStore(n, 'tp-dashboard-bench-');
  const { dir, now, messages, seedSeconds } = seeded;
  try {
    const store = await openStore({ dataDir: dir, log: silentLogger });
    // one conversation with a dead letter, so the page has a row to draw
    const settings = loadConfig({ configDir: 'config', flowsDir: 'flows', adapters, env: { ...process.env } });
    const server = createHttpServer({
      host: '127.0.0.1',
      port: 0,
      trustProxy: false,
      authenticate: createAuthenticator({ bootstrapToken: TOKEN }),
      log: silentLogger,
      isReady: () => true,
    });
    registerDashboard(server.routes, {
      store,
      clock: seeded.clock,
      log: silentLogger,
      adminToken: TOKEN,
      business: { name: 'Bench', timezone: 'UTC' },
      calendar: weekdayCalendar(),
      targets: policyFiles['targets.yaml'].parse({}),
      sla: policyFiles['sla.yaml'].parse({ policies: [{ name: 'standard', firstResponse: '1h' }] }),
      complaints: ['complaint'],
      flows: settings.flows,
      channels: ['webchat', 'email', 'sms', 'whatsapp', 'facebook'],
    });
    // the days the overview stores in the background from its start, awaited so the pages are timed without them
    const start = performance.now();
    await storeClosedDays(store, now, 90);
    const storing = performance.now() - start;
    const url = await server.listen();
    try {
      const cookie = await signIn(url, TOKEN);
      const [middle] = await store.listConversations({ limit: 1, before: now - 45 * DAY });
      const deep = middle ? `${middle.updatedAt}.${middle.id}` : '';
      const day = (t: number) => new Date(t).toISOString().slice(0, 10);
      const flow = settings.flows[0]?.id ?? '';
      const paths: [string, string][] = [
        ['overview, 7 days', '/admin'],
        ['overview, 30 days', '/admin?days=30'],
        ['reports, 7 days', '/admin/reports'],
        ['reports, 30 days by channel', `/admin/reports?since=${day(now - 29 * DAY)}&until=${day(now)}&by=channel`],
        ['conversations, first page', '/admin/conversations'],
        ['conversations, page deep in the list', `/admin/conversations?after=${deep}`],
        ['conversations, open + breached', '/admin/conversations?status=open&breached=yes'],
        ['conversations, VIP on email', '/admin/conversations?vip=yes&channel=email'],
        ['conversations, agent + category', '/admin/conversations?agent=ann&category=billing'],
        ['contact transcript', '/admin/contacts/k42'],
        ['dead letters', '/admin/dead-letters'],
        ['QA reviews', '/admin/qa'],
        ['flows', '/admin/flows'],
        ['one flow', `/admin/flows/${flow}`],
      ];
      const pages: DashboardBench['pages'] = [
        { name: '(KPI days stored, 90 days, once)', path: '', firstMs: storing, nextMs: Number.NaN, bytes: 0 },
      ];
      for (const [name, path] of paths) {
        const timeIt = async () => {
          const start = performance.now();
          const res = await fetch(`${url}${path}`, { headers: { cookie } });
          const body = await res.arrayBuffer();
          if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
          return { ms: performance.now() - start, bytes: body.byteLength };
        };
        const first = await timeIt();
        const next = await timeIt();
        pages.push({ name, path, firstMs: first.ms, nextMs: next.ms, bytes: next.bytes });
      }
      // (after the pages, so no kept-alive connection idles meanwhile) what the overview and the report read first, alone (src/metrics, src/store/fact-reads.ts): the rest is the page's own
      for (const days of [7, 30]) {
        const start = performance.now();
        await loadInputs(store, { from: now - days * DAY, to: now, now });
        const ms = performance.now() - start;
        pages.push({ name: `(KPI inputs alone, ${days} days)`, path: '', firstMs: ms, nextMs: Number.NaN, bytes: 0 });
      }
      return { conversations: n, messages, seedSeconds, cached: seeded.cached, pages };
    } finally {
      await server.close(1000);
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

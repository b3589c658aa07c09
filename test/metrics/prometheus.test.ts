import { readFileSync } from 'node:fs';
import parsePrometheusTextFormat, { type Family } from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { App } from '../../src/app.ts';
import { routerFile } from '../../src/settings/schema.ts';
import { messengerPayload, postSigned, startMessengerRouter } from '../adapters/meta/support.ts';
import type { FakeGraphApi } from '../fakes/graph-api.ts';

/** /metrics of the whole router, read by a Prometheus text-format parser. */
describe('/metrics', () => {
  let app: App;
  let graph: FakeGraphApi;
  let stopApp: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    // KPIs recomputed at every scrape, so the test sees the message it sent
    const router = routerFile.parse({ metrics: { kpiRefresh: '0ms' } });
    ({ app, graph, stop: stopApp } = await startMessengerRouter('tp-metrics-', { router }));
  });
  afterAll(async () => {
    await stopApp?.();
  });

  const scrape = (token?: string) =>
    fetch(`${app.url}/metrics`, token ? { headers: { authorization: `Bearer ${token}` } } : {});

  function family(families: Family[], name: string): Family {
    const f = families.find((x) => x.name === name);
    if (!f) throw new Error(`no ${name} in /metrics`);
    return f;
  }
  const value = (f: Family, labels: Record<string, string> = {}) =>
    Number(f.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))?.value);

  it('refuses a scrape without the token', async () => {
    expect((await scrape()).status).toBe(401);
    expect((await scrape('wrong')).status).toBe(401);
  });

  it('counts webhooks in and refused by reason, times ingest, routing and sends, and shows the queues and KPIs', async () => {
    const payload = messengerPayload([
      { psid: '601', mid: 'm.metrics.1', text: 'How much is a loaf?', timestamp: Date.now() },
    ]);
    graph.delivered(payload);
    expect((await postSigned(`${app.url}/meta/facebook`, payload)).status).toBe(200);
    expect((await postSigned(`${app.url}/meta/facebook`, payload, 'wrong')).status).toBe(403);
    await app.drain();

    // a scrape never waits on the KPIs: the first after the message starts their computation
    let text = '';
    await vi.waitFor(
      async () => {
        const res = await scrape(app.adminToken);
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toContain('text/plain');
        text = await res.text();
        expect(text).toMatch(/^touchpoint_kpi\{kpi="volume"\} 1$/m);
      },
      { timeout: 10_000, interval: 50 },
    );
    const families = parsePrometheusTextFormat(text);

    const route = { route: '/meta/facebook' };
    expect(value(family(families, 'touchpoint_webhooks_received_total'), route)).toBe(2);
    const rejected = family(families, 'touchpoint_webhooks_rejected_total');
    expect(rejected.metrics).toEqual([{ labels: { route: '/meta/facebook', reason: 'forbidden' }, value: '1' }]);
    for (const name of ['touchpoint_ingest_seconds', 'touchpoint_route_seconds', 'touchpoint_send_seconds']) {
      const h = family(families, name);
      expect(h.type).toBe('HISTOGRAM');
      expect(Number(h.metrics[0]?.buckets?.['+Inf'])).toBeGreaterThanOrEqual(1);
    }
    // the parser drops the labels of labelled histograms: read those lines as they are
    expect(text).toMatch(/^touchpoint_send_seconds_count\{channel="facebook",outcome="sent"\} 1$/m);
    expect(text).toMatch(/^touchpoint_limiter_wait_seconds_count\{channel="facebook"\} 1$/m);
    expect(value(family(families, 'touchpoint_outbox_depth'))).toBe(0);
    expect(value(family(families, 'touchpoint_dead_letters'))).toBe(0);
    expect(value(family(families, 'touchpoint_store_size_bytes'))).toBeGreaterThan(0);
    expect(value(family(families, 'touchpoint_backlog_open'))).toBe(1);
    expect(value(family(families, 'touchpoint_kpi'), { kpi: 'volume' })).toBe(1);
    expect(value(family(families, 'touchpoint_kpi'), { kpi: 'deflection' })).toBe(1);
    expect(value(family(families, 'touchpoint_kpi_target'), { kpi: 'csat' })).toBe(0.95);
    expect(value(family(families, 'touchpoint_kpi_target'), { kpi: 'aht' })).toBe(900);
  }, 30_000);

  it('has every series the Grafana dashboard asks for', async () => {
    const families = parsePrometheusTextFormat(await (await scrape(app.adminToken)).text());
    const names = new Set(families.map((f) => f.name));
    const dashboard = readFileSync(new URL('../../ops/grafana/touchpoint.json', import.meta.url), 'utf8');
    const asked = new Set(
      [...dashboard.matchAll(/touchpoint_[a-z_]+/g)].map((m) => m[0].replace(/_(bucket|count|sum)$/, '')),
    );
    expect(asked.size).toBeGreaterThan(10);
    expect([...asked].filter((n) => !names.has(n))).toEqual([]);
  });
});

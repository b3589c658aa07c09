import { notFound } from '../errors.ts';
import { flowGraph, toMermaid } from '../flow-language/flow-graph.ts';
import { toSvg } from '../flow-language/flow-svg.ts';
import { escapeHtml as e } from '../http/html.ts';
import type { FlowDef } from '../settings/flow-schema.ts';
import type { DashboardDeps } from './deps.ts';
import type { PageHandler } from './guard.ts';
import { htmlResponse, shell } from './layout.ts';

function starts(f: FlowDef): string {
  const t = f.trigger;
  const list = [
    ...t.intents.map((i) => `intent ${i}`),
    ...t.keywords.map((k) => `“${k}”`),
    ...t.events.map((x) => `event ${x}`),
    ...t.after.map((a) => `after ${a}`),
    ...(t.firstMessage ? ['first message'] : []),
    ...(t.fallback ? ['fallback'] : []),
  ];
  return list.join(', ') || 'started by another flow';
}

function find(d: DashboardDeps, id: string): FlowDef {
  const flow = d.flows.find((f) => f.id === id);
  if (!flow) throw notFound(`no flow ${id}`);
  return flow;
}

const titleOf = (f: FlowDef) => `${f.id}${f.description ? ` — ${f.description}` : ''}`.slice(0, 140);

/** GET /admin/flows: every flow and what starts it. */
export function flowsPage(d: DashboardDeps): PageHandler {
  return (_req, session) => {
    const rows = d.flows
      .map(
        (f) =>
          `<tr><th scope="row"><a href="/admin/flows/${encodeURIComponent(f.id)}">${e(f.id)}</a></th><td>${e(f.description ?? '')}</td><td>${e(starts(f))}</td><td>${f.priority}</td></tr>`,
      )
      .join('\n');
    const body = `<p>The flows in <code>flows/</code>, as the router loaded them. Open one to see its diagram.</p>
<div class="table-wrap" role="region" aria-label="Flows" tabindex="0"><table id="flows"><thead><tr><th scope="col">Flow</th><th scope="col">What it does</th><th scope="col">Starts on</th><th scope="col">Priority</th></tr></thead>
<tbody>
${rows}
</tbody></table></div>`;
    return htmlResponse(
      200,
      shell({ business: d.business.name, title: 'Flows', section: '/admin/flows', session, body }),
    );
  };
}

/** GET /admin/flows/:id: the flow's diagram, with its Mermaid text as the text alternative. */
export function flowPage(d: DashboardDeps): PageHandler {
  return (req, session) => {
    const flow = find(d, req.params.id as string);
    const graph = flowGraph(flow);
    const src = `/admin/flows/${encodeURIComponent(flow.id)}/diagram.svg`;
    const body = `<p>${e(flow.description ?? '')} Starts on: ${e(starts(flow))}.</p>
<div class="diagram" role="region" aria-label="Diagram" tabindex="0"><img id="diagram" src="${src}" alt="Diagram of the flow ${e(flow.id)}; its steps are listed as text below."></div>
<details><summary>The diagram as text (Mermaid)</summary><pre>${e(toMermaid(graph))}</pre></details>
<p><a href="${src}" download="${e(flow.id)}.svg">Download the SVG</a> · <a href="/admin/flows">All flows</a></p>`;
    return htmlResponse(
      200,
      shell({ business: d.business.name, title: `Flow ${flow.id}`, section: '/admin/flows', session, body }),
    );
  };
}

/** The picture itself: an SVG document with its own small style sheet, so it gets a policy of its own. */
export function flowSvg(d: DashboardDeps): PageHandler {
  return (req) => {
    const flow = find(d, req.params.id as string);
    return {
      status: 200,
      headers: {
        'content-type': 'image/svg+xml; charset=utf-8',
        'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
      },
      body: toSvg(flowGraph(flow), titleOf(flow)),
    };
  };
}

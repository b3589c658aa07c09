// biome-ignore-all lint/suspicious/noThenProperty: flow steps have a `then` key
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { adapters } from '../../adapters/registry.ts';
import { main } from '../../src/cli/main.ts';
import { flowGraph, toMermaid } from '../../src/flow-language/flow-graph.ts';
import { laneOf, toSvg } from '../../src/flow-language/flow-svg.ts';
import { flowFile } from '../../src/settings/flow-schema.ts';
import { repoRoot } from '../flow-language/example.ts';

/** Runs the CLI in-process with the shipped adapters, capturing its output. */
async function cli(argv: string[]) {
  const out = { stdout: '', stderr: '' };
  const io = {
    stdout: (t: string) => {
      out.stdout += t;
    },
    stderr: (t: string) => {
      out.stderr += t;
    },
  };
  const code = await main(argv, { adapters, env: {}, io });
  return { code, ...out };
}

const dirs = ['--config', join(repoRoot, 'config'), '--flows', join(repoRoot, 'flows')];
let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'tp-flows-cli-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

describe('touchpoint test-flows', () => {
  it('passes the shipped transcripts', async () => {
    const r = await cli([
      'test-flows',
      join(repoRoot, 'test/flows/pricing.yaml'),
      join(repoRoot, 'test/flows/complaint.yaml'),
      ...dirs,
    ]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/✓ A price question/);
    expect(r.stdout).toMatch(/2 passed, 0 failed/);
    expect(r.stdout).toMatch(/flows no transcript runs: .*after-sales/);
  });

  it('fails with what was expected and what the bot said, by file and line; --require-all fails untested flows', async () => {
    const file = join(tmp, 'wrong.yaml');
    writeFileSync(
      file,
      'name: wrong\nscript:\n  - customer: hello\n    bot: ["Good evening"]\n    state: { priority: urgent }\n',
    );
    const r = await cli(['test-flows', file, '--require-all', ...dirs]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`✗ wrong (${file})`);
    expect(r.stdout).toContain(
      `${file}:3 (customer: "hello"): replies 1 should contain "Good evening", but it is "Hi Ada, welcome to Harbour Street Bakery!`,
    );
    expect(r.stdout).toContain(`${file}:3 (customer: "hello"): priority should be "urgent", but is "normal"`);
    expect(r.stdout).toMatch(/✗ flows no transcript runs/);
  });

  it('reports an invalid transcript like a config problem, and JSON on request', async () => {
    const file = join(tmp, 'bad.yaml');
    writeFileSync(file, 'name: bad\nscript:\n  - custmer: hi\n');
    const r = await cli(['test-flows', file, '--json', ...dirs]);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({
      ok: false,
      results: [],
      problems: [{ file, line: 3, message: expect.stringMatching(/unknown .*`custmer`/) }],
    });
  });

  it('says when there is nothing to run', async () => {
    const r = await cli(['test-flows', join(tmp, 'none'), ...dirs]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no transcripts found/);
  });
});

describe('touchpoint flows graph', () => {
  it('prints Mermaid and writes an SVG', async () => {
    const svg = join(tmp, 'after-sales.svg');
    const r = await cli(['flows', 'graph', 'after-sales', '--svg', svg, ...dirs]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^flowchart TD\n {2}trigger\(\["after-sales: event purchase.completed"\]\)/);
    expect(r.stdout).toContain('s3{"satisfied = yes?"}');
    expect(r.stdout).toContain('s3 -->|"no"| s9');
    expect(r.stdout).toContain('s2 -.->|"no answer"| done');
    const text = readFileSync(svg, 'utf8');
    expect(text).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(text).toContain('>wait until open</text>');
  });

  it('names the flows when the id is wrong, and lists them', async () => {
    const r = await cli(['flows', 'graph', 'after-sale', '--no-svg', ...dirs]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no flow with the id "after-sale": did you mean `after-sales`\?/);
    expect(existsSync('after-sale.svg')).toBe(false);
    const list = await cli(['flows', 'list', ...dirs]);
    expect(list.stdout).toMatch(/booking-reminder +event:booking.created/);
  });
});

describe('flow graphs', () => {
  it('draw branches, jumps, other flows and early ends, and escape text', () => {
    const flow = flowFile.parse({
      id: 'g',
      trigger: { keywords: ['<go> & "now"'] },
      steps: [
        { id: 'top', ask: { template: 't', var: 'x', expect: 'yes_no', timeout: '1h', onTimeout: 'end' } },
        { if: { vars: { x: 'no' } }, then: [{ goto: 'top' }] },
        { wait: { for: '2d', cancelOnReply: true } },
        { start: 'other' },
      ],
    });
    const mermaid = toMermaid(flowGraph(flow));
    expect(mermaid).toContain('trigger(["g: keywords <go> & #quot;now#quot;"])');
    expect(mermaid).toContain('s1 -->|"yes"| s0');
    expect(mermaid).toContain('s1 -->|"no"| s3');
    expect(mermaid).toContain('s3 -.->|"cancelled"| done');
    expect(mermaid).toContain('s4 --> flow_other');
    const svg = toSvg(flowGraph(flow), 'g <&>');
    expect(svg).toContain('g &lt;&amp;&gt;');
    expect(svg).toContain('g: keywords &lt;go&gt; &amp; &quot;now&quot;');
    expect(svg).not.toMatch(/<text[^>]*>[^<]*("|&(?!amp;|lt;|gt;|quot;))/);
  });
  it('draw an end step as the one end box, not a second one beside it', () => {
    const flow = flowFile.parse({
      id: 'e',
      trigger: { keywords: ['e'] },
      steps: [{ if: { vars: { x: 'no' } }, then: [{ say: 'bye' }, { end: true }] }, { say: 'more' }],
    });
    const graph = flowGraph(flow);
    expect(graph.nodes.filter((n) => n.label === 'end')).toHaveLength(1);
    expect(graph.edges.filter((e) => e.to === 'done').length).toBeGreaterThanOrEqual(2);
  });

  it('put an edge around another in an outer lane, even when it comes first', () => {
    const row = new Map(['a', 'b', 'c', 'd', 'e'].map((id, i) => [id, i]));
    const outer = { from: 'a', to: 'e' };
    const inner = { from: 'b', to: 'd' };
    const apart = { from: 'e', to: 'a' };
    const next = { from: 'a', to: 'b' };
    const lanes = laneOf({ nodes: [], edges: [outer, inner, apart, next] }, row);
    expect(lanes.get(inner)).toBe(0);
    expect(lanes.get(outer)).toBeGreaterThan(lanes.get(inner) as number);
    expect(lanes.get(apart)).toBeGreaterThan(lanes.get(inner) as number);
    expect(lanes.has(next)).toBe(false);
  });
});

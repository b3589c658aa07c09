/**
 * A flow-heavy load: every message is classified and moves a multi-step flow.
 * A customer's even messages ask to order (intent `ordering` → `set` vars and
 * tags, then an `ask` for a number that parks the run); their odd messages are
 * the answer (the parked run takes it → `if` on the number → `set` + `say`, or
 * the other `say`, with variables). Exactly one reply per message, so replies
 * are matched to messages per customer. The flows live here, not in config/,
 * so editing the example business cannot change what is measured.
 * Sink channel, router in a child process (SQLite, synchronous=full); run as a
 * script with FLOW_BENCH_CHILD=1 it is that child.
 */
import { parse } from 'yaml';
import { startApp } from '../../src/app.ts';
import { createLogger } from '../../src/log.ts';
import { flowFile } from '../../src/settings/flow-schema.ts';
import { intentsFile, templatesFile } from '../../src/settings/schema.ts';
import { testSettings } from '../support/settings.ts';
import { sinkDefinition } from '../support/sink-adapter.ts';
import { startSinkServer } from '../support/sink-server.ts';
import { post } from './load.ts';
import {
  type BenchLine,
  isBenchChild,
  measureChannel,
  replyTracker,
  serveAsBenchChild,
  startBenchChild,
} from './measure.ts';

const CHILD_FLAG = 'FLOW_BENCH_CHILD';
/** Customers writing at once; a customer's next message comes this many messages later, long after the last was stored. */
const CUSTOMERS = 2_000;
/** Messages per customer: 5 order/answer pairs, half the loop guard's 20 automatic replies in 10 minutes. */
const ROUNDS = 10;

const customerOf = (i: number) => `c${Math.floor(i / (CUSTOMERS * ROUNDS))}-${i % CUSTOMERS}`;
const isAnswer = (i: number) => Math.floor(i / CUSTOMERS) % 2 === 1;
const quantity = (i: number) => (i % 10) + 1;
const textOf = (i: number) => (isAnswer(i) ? `${quantity(i)} please` : `I'd like to order a cake (${i})`);

/** The reply each message should get, by its first words, to check the flows really ran. */
const REPLY_START = { ask: 'A cake is', bulk: 'That is a big order', small: 'Noted:' };
const expectedStart = (i: number) =>
  !isAnswer(i) ? REPLY_START.ask : quantity(i) > 5 ? REPLY_START.bulk : REPLY_START.small;

const ORDER_FLOW = `
id: order
trigger: { intents: [ordering] }
steps:
  - set: { tags: [order], category: sales, vars: { item: cake, price: "12" } }
  - ask: { template: order_qty, var: qty, expect: number, invalid: order_again, retries: 1 }
  - if: { vars: { qty: { above: 5 } } }
    then:
      - set: { priority: high, tags: [bulk] }
      - say: order_bulk
    else:
      - say: order_small
`;

function flowSettings() {
  const base = testSettings();
  return testSettings({
    intents: intentsFile.parse({
      intents: {
        ordering: { keywords: ['order', 'buy'] },
        pricing: { keywords: ['how much', 'price'] },
      },
    }).intents,
    templates: templatesFile.parse({
      templates: {
        ...base.templates,
        order_qty: 'A {item} is £{price}. How many would you like, {name|there}?',
        order_again: 'Please give me a number of {item}s.',
        order_bulk: 'That is a big order: {qty} {item}s. The team at {business} will confirm it.',
        order_small: "Noted: {qty} {item}s. We'll have them ready at {business}.",
      },
    }).templates,
    flows: [flowFile.parse(parse(ORDER_FLOW))],
  });
}

async function childMain(): Promise<void> {
  const app = await startApp({
    settings: { ...flowSettings(), channels: { sink: { enabled: true, settings: { sinkUrl: process.env.SINK_URL } } } },
    adapters: { sink: sinkDefinition },
    dataDir: process.env.DATA_DIR ?? '.tmp/flow-bench',
    databaseUrl: null,
    port: 0,
    log: createLogger({ part: 'flow-bench' }),
  });
  serveAsBenchChild(app);
}

export interface FlowBench {
  max: BenchLine;
  half: BenchLine;
  /** Share of the replies that were the one the flow should have given (1 when every flow step ran as designed). */
  asExpected: number;
}

export async function benchFlows(): Promise<FlowBench> {
  const sink = await startSinkServer();
  const child = await startBenchChild(import.meta.url, CHILD_FLAG, 'flows', { SINK_URL: sink.url });
  const track = replyTracker(customerOf);
  const expected = new Map<string, string>();
  let replies = 0;
  let right = 0;
  sink.onDelivery = (d) => {
    replies++;
    if (d.replyTo && d.text.startsWith(expected.get(d.replyTo) ?? '\u0000')) right++;
    track.arrive(d.to, d.at);
  };
  const send = (i: number, prefix: string) => {
    const id = `${prefix}-${i}`;
    expected.set(id, expectedStart(i));
    return post(`${child.url}/sink/inbound`, JSON.stringify({ id, from: customerOf(i), text: textOf(i) }));
  };
  try {
    const { max, half } = await measureChannel('flows: classify + ask/set/if/say', send, track);
    return { max, half, asExpected: replies === 0 ? 0 : right / replies };
  } finally {
    await child.stop();
    await sink.close();
  }
}

if (isBenchChild(import.meta.url, CHILD_FLAG)) await childMain();

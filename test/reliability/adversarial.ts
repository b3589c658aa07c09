import { availableParallelism, loadavg } from 'node:os';
import { botframeworkDefinition } from '../../adapters/botframework/definition.ts';
import { activity } from '../adapters/botframework/support.ts';
import { startWorld } from '../adapters/discord/support/world.ts';
import {
  ACCESS_TOKEN,
  feedCommentPayload,
  IG_ID,
  igCommentPayload,
  PAGE_ID,
  postSigned,
} from '../adapters/meta/support.ts';
import { SECRET, TOKEN } from '../adapters/slack/support/desk-app.ts';
import { slackSender } from '../adapters/slack/support/slack-requests.ts';
import { percentile } from '../bench/load.ts';
import { FakeBotService } from '../fakes/botframework-service.ts';
import { MAX_MESSAGE_CONTENT } from '../fakes/discord/payloads.ts';
import { FakeGraphApi } from '../fakes/graph-api.ts';
import { FakeSlackApi } from '../fakes/slack-api.ts';
import { metaBlock, slackBlock } from './channels.ts';
import type { Figures } from './figures.ts';
import { probeHealth } from './probe.ts';
import { prepareRouter, type Router } from './router.ts';

/**
 * Adversarial text: 1 MB messages built to make text patterns backtrack
 * (long runs without the character a pattern waits for, digits and
 * separators, capitalised words before a street word …), posted on every
 * public touchpoint of the shipped example business (its personal-data
 * guard, handoff rules, classifier and sentiment words all read them), and on
 * a web chat set to take 1 MB, while /healthz is asked 20 times a second. Its
 * p99 must stay under 50 ms. Past a provider's own maximum a text is kept
 * unread (answered 200); the web chat's is stored whole and routed.
 * Teams takes at most 256 KiB a request: its messages are as long as fits.
 * Discord never delivers more than 4,000 characters (its API refuses longer
 * messages), and its fake refuses them too: those are 4,000.
 */
export const HEALTHZ_P99_LIMIT_MS = 50;
const METRICS_TOKEN = 'adversarial-metrics-token-0123456789';

/** The router's event-loop delay since the last scrape (prom-client's series, reset at each scrape), in ms. */
async function loopDelay(url: string): Promise<{ p99: number; max: number }> {
  const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  const text = await res.text();
  const seconds = (name: string) => Number(new RegExp(`^${name} ([0-9.e+-]+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
  return {
    p99: seconds('nodejs_eventloop_lag_p99_seconds') * 1000,
    max: seconds('nodejs_eventloop_lag_max_seconds') * 1000,
  };
}
const MB = 1_000_000;

/** Texts of `n` characters, ASCII only (a byte each, nothing JSON escapes). */
export const adversarialTexts: Record<string, (n: number) => string> = {
  // the control: what a megabyte costs when no pattern struggles with it
  'plain words (control)': (n) => 'hello there '.repeat(n / 12),
  'one letter repeated': (n) => 'x'.repeat(n),
  'dotted words, no @': (n) => 'a.'.repeat(n / 2),
  'at signs between dots': (n) => 'a@a.'.repeat(n / 4),
  'digits and spaces': (n) => '1 '.repeat(n / 2),
  'digits and dashes': (n) => '12-'.repeat(n / 3),
  'capitalised words, no street': (n) => '12 Ab '.repeat(n / 6),
  'reference words': (n) => 'order #'.repeat(n / 7),
  'IBAN-like groups': (n) => 'GB12 ABCD '.repeat(n / 10),
};

interface Touchpoint {
  name: string;
  chars: number;
  /** Posts `text` as the provider would; resolves with the router's status, 0 for none in time. */
  post(text: string, k: number): Promise<number>;
}

export interface AdversarialOptions {
  /** Longest wait for the router's answer to one post. */
  postTimeoutMs?: number;
  /** Which texts (keys of adversarialTexts); all by default. */
  texts?: string[];
  /** Which touchpoints (by name, e.g. slack.channel); all by default. */
  touchpoints?: string[];
  log?: (s: string) => void;
}

export async function adversarial(o: AdversarialOptions = {}): Promise<Figures> {
  const log = o.log ?? (() => {});
  const timeoutMs = o.postTimeoutMs ?? 15_000;
  const slack = await FakeSlackApi.start({ token: TOKEN });
  const graph = await FakeGraphApi.start({ accessToken: ACCESS_TOKEN, pages: [PAGE_ID, IG_ID], instagram: [IG_ID] });
  const bot = await FakeBotService.start();
  const world = await startWorld();
  let router: Router | null = null;
  try {
    const channels = {
      slack: slackBlock(slack.apiUrl),
      facebook: metaBlock('facebook', graph.url),
      instagram: metaBlock('instagram', graph.url),
      botframework: { settings: botframeworkDefinition.settings.parse({ serviceUrls: [`${bot.url}/`] }) },
      discord: { settings: world.settings() },
      // The web chat set to take a whole megabyte: stored whole and routed, the worst case.
      webchat: { settings: { maxMessageLength: MB } },
    };
    router = await prepareRouter({
      store: 'sqlite',
      channels: JSON.stringify(channels),
      example: true,
      router: { server: { adminToken: METRICS_TOKEN } },
    });
    await router.start();
    await world.discord.gateway.waitFor(() => world.discord.gateway.connected, 'the Discord gateway', 30_000);
    const url = router.url;
    const signal = () => AbortSignal.timeout(timeoutMs);
    const status = (p: Promise<{ status: number }>) => p.then((r) => r.status).catch(() => 0);
    const send = slackSender(`${url}/slack/events`, SECRET);
    const now = Math.floor(Date.now() / 1000);
    const every: Touchpoint[] = [
      {
        name: 'slack.channel',
        chars: MB,
        post: (text, k) =>
          status(
            send.event(
              {
                type: 'message',
                channel: 'CPUBLIC01',
                channel_type: 'channel',
                user: 'UATTACK01',
                text,
                ts: `${now}.${100 + k}`,
              },
              {},
            ),
          ),
      },
      {
        name: 'slack.mention',
        chars: MB,
        post: (text, k) =>
          status(
            send.event({
              type: 'app_mention',
              channel: 'CPUBLIC02',
              user: 'UATTACK02',
              text: `<@UBOT0001> ${text}`,
              ts: `${now}.${200 + k}`,
            }),
          ),
      },
      {
        name: 'facebook.comment',
        chars: MB,
        post: (text, k) =>
          status(
            postSigned(
              `${url}/meta/facebook`,
              feedCommentPayload({ comment: `p_c${k}`, from: '66', text, created: now }),
            ),
          ),
      },
      {
        name: 'instagram.comment',
        chars: MB,
        post: (text, k) =>
          status(
            postSigned(
              `${url}/meta/instagram`,
              igCommentPayload({ id: `17900${k}`, from: '67', text, time: now * 1000 }),
            ),
          ),
      },
      {
        name: 'teams (channel)',
        chars: 250_000,
        post: (text, k) =>
          status(
            fetch(`${url}/api/messages`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify(
                activity(bot.url, {
                  id: `attack-${k}`,
                  channelId: 'msteams',
                  conversation: { id: '19:public@thread.tacv2', conversationType: 'channel', isGroup: true },
                  text,
                }),
              ),
              signal: signal(),
            }),
          ),
      },
      {
        name: 'webchat (1 MB allowed)',
        chars: MB,
        async post(text, k) {
          const session = await fetch(`${url}/webchat/session`, { method: 'POST', signal: signal() });
          const { token } = (await session.json()) as { token: string };
          return status(
            fetch(`${url}/webchat/messages`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'x-visitor-token': token },
              body: JSON.stringify({ text, clientId: `attack-${k}` }),
              signal: signal(),
            }),
          );
        },
      },
      {
        name: 'discord.channel',
        chars: MAX_MESSAGE_CONTENT,
        async post(text) {
          // The gateway has no answer to wait for: the message is in the router's hands once sent.
          world.discord.say({ guildId: world.guild.id, channelId: world.help, author: world.cora, content: text });
          return 200;
        },
      },
    ];

    const touchpoints = every.filter((t) => !o.touchpoints || o.touchpoints.includes(t.name));
    // One ordinary message on each touchpoint first: the routing paths are compiled and the statements
    // prepared before anything is timed, as in a router that has served traffic (a cold start is not the
    // attack measured here).
    await Promise.all(touchpoints.map((t) => t.post('hello, are you open today?', 50)));
    await new Promise((r) => setTimeout(r, 1_000));
    const baseline = probeHealth(url);
    await new Promise((r) => setTimeout(r, 5_000));
    const quiet = await baseline.stop();

    const names = o.texts ?? Object.keys(adversarialTexts);
    const answers = new Map<string, number[]>(touchpoints.map((t) => [t.name, []]));
    // the router's own event-loop delay, from its /metrics: what it held up, whatever the asking side went through
    await loopDelay(url);
    const probe = probeHealth(url);
    const t0 = performance.now();
    const rounds: Array<{ name: string; from: number; to: number }> = [];
    for (const [k, name] of names.entries()) {
      const from = performance.now();
      const make = adversarialTexts[name];
      if (!make) throw new Error(`no adversarial text "${name}"`);
      // One text at a time, on every touchpoint at once.
      await Promise.all(
        touchpoints.map(async (t) => {
          const text = make(t.chars);
          const s = await Promise.race([
            t.post(text, k),
            new Promise<number>((r) => setTimeout(() => r(0), timeoutMs)),
          ]);
          answers.get(t.name)?.push(s);
        }),
      );
      rounds.push({ name, from, to: performance.now() });
      log(`  ${name}: sent after ${Math.round((performance.now() - t0) / 1000)} s`);
    }
    // The work behind the last answers runs on: keep asking a while.
    await new Promise((r) => setTimeout(r, 3_000));
    const under = await probe.stop();
    const loop = await loopDelay(url);
    // A router still stuck in a pattern would not stop: this suite ends it.
    await router.kill();

    const fiveXX = [...answers.values()].flat().filter((s) => s >= 500).length;
    const ms = (x: number) => `${x.toFixed(1)} ms`;
    return {
      suite: 'adversarial',
      lost: 0,
      duplicated: 0,
      violations: under.p99 < HEALTHZ_P99_LIMIT_MS ? 0 : 1,
      fiveXX,
      details: [
        `${names.length} texts × ${touchpoints.length} touchpoints in ${Math.round((performance.now() - t0) / 1000)} s; ` +
          `/healthz p50 ${ms(under.p50)}, p99 ${ms(under.p99)} (limit ${HEALTHZ_P99_LIMIT_MS} ms), max ${ms(under.max)}, ` +
          `${under.timeouts} of ${under.probes} probes unanswered in 2 s; quiet before: p99 ${ms(quiet.p99)}; ` +
          `load average ${loadavg()[0]?.toFixed(2)} on ${availableParallelism()} cores; ` +
          `the router's own event-loop delay meanwhile: p99 ${ms(loop.p99)}, max ${ms(loop.max)}`,
        `/healthz p99 while each text was posted: ${rounds
          .map(
            (r) =>
              `${r.name} ${ms(
                percentile(
                  under.samples.filter((x) => x.due >= r.from && x.due < r.to).map((x) => x.ms),
                  99,
                ),
              )}`,
          )
          .join(', ')}`,
        ...touchpoints.map(
          (t) =>
            `${t.name.padEnd(18)} ${t.chars.toLocaleString('en')} chars; answers ${answers
              .get(t.name)
              ?.map((s) => s || 'none')
              .join(' ')}`,
        ),
        'lost and duplicated are not measured here',
      ],
    };
  } finally {
    await router?.close();
    await world.discord.stop();
    await bot.close();
    await graph.close();
    await slack.stop();
  }
}

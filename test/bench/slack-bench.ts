/**
 * The Slack desk under sustained agent work: web chat customers handed off to
 * teams whose threads live in CHANNELS different desk channels; agents send
 * canned replies from the desk (signed interactivity payloads) faster than
 * Slack allows, so each reply reaches the customer at once and its mirror in
 * the desk thread waits for the channel's turn. Slack allows about one post a
 * second per channel (the fake answers faster posts with 429), so the ceiling
 * is CHANNELS posts/s; we print the share of it achieved and the 429s seen.
 */
import { CANNED_INPUT, VIEW } from '../../adapters/slack/desk/modals.ts';
import { flowFile } from '../../src/settings/flow-schema.ts';
import { intentsFile } from '../../src/settings/schema.ts';
import { AGENT, startDeskApp, webchatSays } from '../adapters/slack/support/desk-app.ts';
import { viewSubmission } from '../adapters/slack/support/slack-requests.ts';

const CHANNELS = Number(process.env.BENCH_SLACK_CHANNELS ?? 8);
const SECONDS = Math.min(15, Number(process.env.BENCH_SECONDS ?? 5) * 2);
/** Replies offered per desk channel per second: above Slack's one, so the limiter sets the pace. */
const OFFERED = 1.5;
const deskChannel = (i: number) => `CDESK${String(100 + i)}`;

export interface SlackBenchResult {
  channels: number;
  seconds: number;
  posts: number;
  postsPerSecond: number;
  /** Achieved posts/s ÷ (channels × 1/s). */
  shareOfLimit: number;
  rateLimited: number;
  delivered: number;
}

export async function benchSlack(): Promise<SlackBenchResult> {
  const teams = Array.from({ length: CHANNELS }, (_, i) => i);
  const d = await startDeskApp({
    intervalMs: 1_000,
    minTimeMs: null,
    settings: {
      intents: intentsFile.parse({
        intents: Object.fromEntries(teams.map((i) => [`team${i}`, { keywords: [`deskteam${i}`] }])),
      }).intents,
      flows: teams.map((i) =>
        flowFile.parse({
          id: `to-team${i}`,
          trigger: { intents: [`team${i}`] },
          steps: [{ handoff: { team: `t${i}` } }],
        }),
      ),
    },
    slack: {
      desk: {
        defaultChannel: deskChannel(0),
        routes: teams.map((i) => ({ team: `t${i}`, deskChannel: deskChannel(i) })),
        agents: [{ slackUser: AGENT, agent: 'maya', name: 'Maya' }],
        canned: [{ id: 'thanks', title: 'Thanks for waiting', text: 'Thank you for your patience.' }],
      },
    },
  });
  try {
    // One customer per desk channel; their threads open (header + their message) before the clock starts.
    for (const i of teams) await webchatSays(d.app.url, `please put me through to deskteam${i}`);
    await d.slack.until(() => d.slack.posts.filter((p) => p.threadTs !== null).length >= CHANNELS, 30_000);
    const conversations = await d.app.store.listConversations({});
    const ids = conversations.map((c) => c.id);

    const reply = (id: string) =>
      d.send.interaction(
        viewSubmission(AGENT, VIEW.canned, id, {
          [CANNED_INPUT.block]: {
            [CANNED_INPUT.action]: { type: 'static_select', selected_option: { value: 'thanks' } },
          },
        }),
      );
    const limitedBefore = d.slack.rateLimited;
    const t0 = Date.now();
    const end = t0 + SECONDS * 1000;
    const sent: Promise<Response>[] = [];
    for (let k = 0; Date.now() < end && k < 100_000; k++) {
      for (const id of ids) sent.push(reply(id));
      const wait = t0 + ((k + 1) * 1000) / OFFERED - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    await Promise.all(sent);
    const elapsed = (Date.now() - t0) / 1000;
    const desks = new Set(teams.map(deskChannel));
    const posts = d.slack
      .callsOf('chat.postMessage')
      .filter((c) => desks.has(String(c.params.channel)) && c.at >= t0 && c.at < t0 + elapsed * 1000).length;
    const rateLimited = d.slack.rateLimited - limitedBefore;
    await d.app.drain();
    let delivered = 0;
    for (const id of ids)
      delivered += (await d.app.store.listMessages(id)).filter(
        (m) => m.author.kind === 'agent' && m.status === 'sent',
      ).length;
    const postsPerSecond = posts / elapsed;
    return {
      channels: CHANNELS,
      seconds: elapsed,
      posts,
      postsPerSecond,
      shareOfLimit: postsPerSecond / CHANNELS,
      rateLimited,
      delivered,
    };
  } finally {
    await d.stop();
  }
}

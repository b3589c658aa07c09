/**
 * Email through the whole router, on real mail servers: a burst of N mails
 * from customers → Postfix → Dovecot → the router's IMAP IDLE → routed
 * (classify + flow) → the reply through Postfix → Dovecot → the customer's
 * INBOX. Rate is replies delivered per second over the burst; latency is from
 * each mail's acceptance by Postfix to its reply's arrival as the customer's
 * IDLE sees it (Dovecot tells IDLE clients with ~0.5 s delay, and the
 * router's own IDLE pays it too, so about 1 s is the floor).
 *
 * The email adapter sends to one recipient at most once a second by default;
 * that limit (channels.yaml `rateLimit`) and the SMTP pool's rate are raised
 * here so the pipeline, not the politeness limit, is measured.
 */
import { emailDefinition } from '../../adapters/email/definition.ts';
import { adapterSettings, connectImap, customerTransport } from '../adapters/email/support/mail-client.ts';
import { startLocalApp } from '../support/local-app.ts';
import { type MailServers, startMailServers } from '../support/mail-servers.ts';
import { testSettings } from '../support/settings.ts';
import { type BenchLine, benchLine } from './measure.ts';

const SUPPORT = 'support@shop.test';
const CUSTOMERS = Array.from({ length: 5 }, (_, i) => `customer${i}@example.test`);
const mails = Number(process.env.BENCH_MAILS ?? 200);

/** Arrival time of each message in a customer's INBOX, by sequence number, from IDLE's EXISTS notices. */
async function watchInbox(servers: MailServers, user: string) {
  const client = await connectImap(servers, user);
  await client.mailboxOpen('INBOX');
  const arrivals: number[] = [];
  client.on('exists', (e: { count: number }) => {
    const now = performance.now();
    while (arrivals.length < e.count) arrivals.push(now);
  });
  // One IDLE for the whole burst: the fetch at the end breaks it.
  client.idle().catch(() => {});
  return {
    arrivals,
    /** In-Reply-To of each message, by sequence number. */
    async inReplyTo(): Promise<Map<number, string>> {
      const out = new Map<number, string>();
      for (const m of await client.fetchAll('1:*', { envelope: true })) out.set(m.seq, m.envelope?.inReplyTo ?? '');
      return out;
    },
    close: () => client.logout().catch(() => client.close()),
  };
}

export async function benchEmail(): Promise<BenchLine> {
  const servers = await startMailServers({ users: [SUPPORT, ...CUSTOMERS] });
  // The SMTP pool may send as fast as Postfix takes it; IMAP reconnects back off as shipped, not as the tests' quick retries.
  const settings = adapterSettings(servers, {
    smtp: {
      host: servers.host,
      port: servers.smtpPort,
      secure: false,
      ignoreTLS: true,
      maxConnections: 5,
      rateLimit: 10_000,
    },
    reconnect: {},
  });
  const local = await startLocalApp('tp-email-bench-', {
    settings: testSettings({
      channels: { email: { enabled: true, rateLimit: { minTimeMs: 0, channelPerSecond: null }, settings } },
    }),
    adapters: { email: emailDefinition },
  });
  const inboxes = await Promise.all(CUSTOMERS.map((c) => watchInbox(servers, c)));
  const transport = customerTransport(servers, 5);
  const acceptedAt = new Map<string, number>();
  const send = async (id: string, from: string) => {
    const messageId = `<${id}@example.test>`;
    await transport.sendMail({
      from,
      to: SUPPORT,
      subject: `Question ${id}`,
      messageId,
      text: `Hello, how much is a loaf? (${id})`,
    });
    acceptedAt.set(messageId, performance.now());
  };
  const arrived = () => inboxes.reduce((n, b) => n + b.arrivals.length, 0);
  const waitFor = async (count: number, ms: number) => {
    const end = performance.now() + ms;
    while (arrived() < count && performance.now() < end) await new Promise((r) => setTimeout(r, 20));
  };
  try {
    // Warm up: one mail per customer, so connections are open and the first replies are in.
    await Promise.all(CUSTOMERS.map((c, i) => send(`warm-${i}`, c)));
    await waitFor(CUSTOMERS.length, 30_000);

    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: mails }, (_, i) => send(`bench-${i}`, CUSTOMERS[i % CUSTOMERS.length] as string)),
    );
    await waitFor(CUSTOMERS.length + mails, 30_000);
    const done = arrived() - CUSTOMERS.length;
    const last = Math.max(...inboxes.flatMap((b) => b.arrivals));
    const latencies: number[] = [];
    for (const box of inboxes) {
      for (const [seq, parent] of await box.inReplyTo()) {
        const sent = acceptedAt.get(parent);
        const at = box.arrivals[seq - 1];
        if (sent !== undefined && at !== undefined && parent.startsWith('<bench-')) latencies.push(at - sent);
      }
    }
    if (done < mails) process.stderr.write(`email bench: only ${done} of ${mails} replies arrived within 30 s\n`);
    return benchLine(
      `email burst of ${mails} (Postfix→Dovecot→router→Postfix)`,
      done / ((last - t0) / 1000),
      latencies,
    );
  } finally {
    transport.close();
    await Promise.all(inboxes.map((b) => b.close()));
    await local.stop();
    await servers.stop();
  }
}

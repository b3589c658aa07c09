import { ImapFlow } from 'imapflow';
import { afterEach, beforeEach } from 'vitest';
import { emailDefinition } from '../../../../adapters/email/definition.ts';
import type { EmailSettings } from '../../../../adapters/email/settings.ts';
import type { ChannelAdapter } from '../../../../src/channel/contract.ts';
import { systemClock } from '../../../../src/clock.ts';
import { silentLogger } from '../../../../src/log.ts';
import type { Envelope, OutboundMessage } from '../../../../src/model/types.ts';
import { type MailServers, startMailServers } from '../../../support/mail-servers.ts';
import type { FakeHost } from './fake-host.ts';
import { adapterSettings } from './mail-client.ts';

export interface MailHarness {
  /** This test's servers (fresh per test). */
  servers(): MailServers;
  /** Creates and starts an adapter; it is stopped after the test whatever happens. */
  startAdapter(host: FakeHost, settings?: EmailSettings): Promise<ChannelAdapter>;
  stopAdapter(adapter: ChannelAdapter): Promise<void>;
  /** Flags of every message in one of support@shop.test's folders, by Message-ID. */
  flagsIn(folder: string): Promise<Map<string, string[]>>;
}

/**
 * Fresh Dovecot and Postfix for every test of the calling file, stopped
 * after it together with every adapter the test started, pass or fail.
 */
export function useMailServers(): MailHarness {
  let servers: MailServers | null = null;
  let adapters: ChannelAdapter[] = [];
  const current = (): MailServers => {
    if (!servers) throw new Error('mail servers are not running');
    return servers;
  };

  beforeEach(async () => {
    servers = await startMailServers();
  });

  afterEach(async () => {
    await Promise.all(adapters.map((a) => a.stop()));
    adapters = [];
    await servers?.stop();
    servers = null;
  });

  return {
    servers: current,
    async startAdapter(host, settings = adapterSettings(current())) {
      const adapter = await emailDefinition.create(settings, { log: silentLogger, clock: systemClock });
      adapters.push(adapter);
      await adapter.start(host);
      return adapter;
    },
    async stopAdapter(adapter) {
      await adapter.stop();
      adapters = adapters.filter((a) => a !== adapter);
    },
    flagsIn: (folder) => flagsIn(current(), folder),
  };
}

async function flagsIn(servers: MailServers, folder: string): Promise<Map<string, string[]>> {
  const client = new ImapFlow({
    host: servers.host,
    port: servers.imapPort,
    secure: false,
    auth: { user: 'support@shop.test', pass: servers.password('support@shop.test') },
    logger: false,
  });
  client.on('error', () => {});
  await client.connect();
  try {
    const box = await client.mailboxOpen(folder);
    const out = new Map<string, string[]>();
    if (box.exists === 0) return out;
    for (const m of await client.fetchAll('1:*', { uid: true, flags: true, envelope: true }, { uid: true })) {
      out.set(m.envelope?.messageId ?? `uid-${m.uid}`, [...(m.flags ?? [])]);
    }
    return out;
  } finally {
    await client.logout().catch(() => client.close());
  }
}

/** An outbound message answering `env`, as the outbox would hand it to the adapter. */
export function replyTo(env: Envelope, id: string, text: string, automatic = true): OutboundMessage {
  return {
    id,
    messageId: `msg-${id}`,
    conversationId: 'conv-1',
    channel: 'email',
    touchpoint: env.touchpoint,
    threadKey: env.threadKey,
    destination: env.from.value,
    text,
    replyRef: env.replyRef ?? null,
    lastInboundAt: null,
    references: [env.providerId],
    author: { kind: automatic ? 'bot' : 'agent', name: 'Shop' },
    automatic,
    attempt: 1,
  };
}

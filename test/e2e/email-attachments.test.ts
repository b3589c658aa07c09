import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapters } from '../../adapters/registry.ts';
import type { App } from '../../src/app.ts';
import { loadConfig } from '../../src/cli/load-config.ts';
import type { Attachment, Message } from '../../src/model/types.ts';
import { adapterSettings, readInbox, sendMail } from '../adapters/email/support/mail-client.ts';
import { EICAR, FakeClamd } from '../fakes/clamd.ts';
import { startLocalApp } from '../support/local-app.ts';
import { type MailServers, startMailServers } from '../support/mail-servers.ts';

/**
 * Email attachments end to end through real Postfix and Dovecot: a customer's
 * PDF and photo are kept in the blob store (hashes of the sent bytes) and
 * listed on the stored message; a part the scanner flags is not kept but
 * listed with the reason; an agent's file reaches the customer's mailbox as
 * an attachment with the same bytes.
 */
const CUSTOMER = 'customer@example.test';
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('email attachments (real Postfix and Dovecot, clamd scan on)', () => {
  let servers: MailServers;
  let app: App;
  let stopApp: (() => Promise<void>) | undefined;
  const clamd = new FakeClamd();

  const api = async (path: string, body?: unknown) => {
    const res = await fetch(`${app.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${app.adminToken}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  /** The customer's first stored message, once the mailbox watcher has handed it to the core. */
  const inboundMessage = async (text = 'squashed'): Promise<Message> => {
    for (let i = 0; i < 300; i++) {
      await app.drain();
      for (const conversation of await app.store.listConversations({ limit: 5 })) {
        const found = (await app.store.listMessages(conversation.id)).find(
          (m) => m.direction === 'inbound' && m.text.includes(text),
        );
        if (found) return found;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`the customer mail with "${text}" was never stored`);
  };

  beforeAll(async () => {
    await clamd.start();
    servers = await startMailServers();
    const loaded = loadConfig({ configDir: 'config', flowsDir: 'flows', adapters, env: {} });
    const email = { enabled: true, rateLimit: undefined, settings: adapterSettings(servers) };
    const router = {
      ...loaded.router,
      attachments: {
        ...loaded.router.attachments,
        scan: { clamd: { host: '127.0.0.1', port: clamd.port }, timeout: '5s', onError: 'reject' as const },
      },
    };
    ({ app, stop: stopApp } = await startLocalApp('tp-email-attach-', {
      settings: { ...loaded, router, channels: { email } },
      adapters,
    }));
  });
  afterAll(async () => {
    await stopApp?.();
    await servers?.stop();
    await clamd.stop();
  });

  it('keeps a PDF and a photo with their hashes, refuses a flagged part, and mails an agent file back', async () => {
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(30_000)]);
    const photo = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(50_000)]);
    await sendMail(servers, {
      from: `"Cora Lane" <${CUSTOMER}>`,
      to: 'support@shop.test',
      subject: 'Squashed cake',
      messageId: '<cake-1@example.test>',
      text: 'The cake arrived squashed, photo and receipt attached.',
      attachments: [
        { filename: 'receipt.pdf', content: pdf, contentType: 'application/pdf' },
        { filename: 'cake.jpg', content: photo, contentType: 'image/jpeg' },
        { filename: 'invoice.pdf', content: Buffer.from(EICAR), contentType: 'application/pdf' },
      ],
    });
    const message = await inboundMessage();
    expect(message.attachments).toEqual([
      expect.objectContaining({
        name: 'receipt.pdf',
        contentType: 'application/pdf',
        size: pdf.length,
        sha256: sha256(pdf),
        blobKey: `sha256/${sha256(pdf)}`,
      }),
      expect.objectContaining({
        name: 'cake.jpg',
        contentType: 'image/jpeg',
        size: photo.length,
        sha256: sha256(photo),
      }),
      {
        name: 'invoice.pdf',
        contentType: 'application/pdf',
        size: EICAR.length,
        error: 'file rejected by scan (Eicar-Signature)',
      },
    ]);
    const [kept] = message.attachments as Attachment[];
    expect((await app.blobs.get(kept?.blobKey as string))?.equals(pdf)).toBe(true);
    expect(await app.blobs.get(`sha256/${sha256(Buffer.from(EICAR))}`)).toBeNull();

    // listed on the message the API shows agents
    const shown = await api(`/api/conversations/${message.conversationId}`);
    const listed = (shown.body.messages as Message[]).find((m) => m.id === message.id);
    expect(listed?.attachments.map((a) => a.sha256 ?? a.error)).toEqual([
      sha256(pdf),
      sha256(photo),
      'file rejected by scan (Eicar-Signature)',
    ]);

    // the agent answers with a file: it arrives as an attachment with the same bytes
    const label = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(20_000)]);
    const put = await app.blobs.put(label, 'application/pdf');
    const reply = await api(`/api/conversations/${message.conversationId}/reply`, {
      text: 'Sorry about the cake: here is your return label.',
      attachments: [{ blobKey: put.key, contentType: 'application/pdf', name: 'return-label.pdf' }],
    });
    expect(reply.status).toBe(201);
    await app.drain();
    // the bot may have answered first: every outbound message of the conversation is in the mailbox
    const outbound = (await app.store.listMessages(message.conversationId)).filter((m) => m.direction === 'outbound');
    const mails = await readInbox(servers, CUSTOMER, outbound.length);
    const mail = mails.find((m) => m.text?.includes('return label'));
    expect(mail?.attachments.map((a) => [a.filename, a.contentType])).toEqual([
      ['return-label.pdf', 'application/pdf'],
    ]);
    expect(mail?.attachments[0]?.content.equals(label)).toBe(true);
  });

  it('leaves a mail unread while the scanner is down (fail closed), and stores it with its file once it is back', async () => {
    const port = clamd.port;
    await clamd.stop();
    const photo = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(10_000)]);
    await sendMail(servers, {
      from: `"Cora Lane" <${CUSTOMER}>`,
      to: 'support@shop.test',
      subject: 'Second photo',
      messageId: '<cake-2@example.test>',
      text: 'Another angle of the cake.',
      attachments: [{ filename: 'angle.jpg', content: photo, contentType: 'image/jpeg' }],
    });
    // The watcher reads the mail and fails to keep the photo: nothing is stored without it.
    await new Promise((r) => setTimeout(r, 1_500));
    const all = await Promise.all(
      (await app.store.listConversations({ limit: 5 })).map((c) => app.store.listMessages(c.id)),
    );
    expect(all.flat().some((m) => m.text.includes('Another angle'))).toBe(false);

    await clamd.start(port);
    const message = await inboundMessage('Another angle');
    expect(message.attachments).toEqual([
      expect.objectContaining({ name: 'angle.jpg', sha256: sha256(photo), contentType: 'image/jpeg' }),
    ]);
  });
});

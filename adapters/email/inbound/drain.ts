import type { FetchMessageObject, ImapFlow } from 'imapflow';
import {
  type Attachment,
  type AttachmentFiles,
  type Envelope,
  type IngestResult,
  type Logger,
  MediaError,
  readOrKeep,
} from '../../../src/channel/index.ts';
import type { MailboxSettings } from '../settings.ts';
import type { Checkpoint, CheckpointStore } from './checkpoint.ts';
import { type InboundMail, parseMail } from './parse.ts';
import { type MailOrigin, toEnvelope } from './to-envelope.ts';

export interface DrainContext {
  client: ImapFlow;
  mailbox: MailboxSettings;
  /** `user@host/Mailbox`, for logs and the envelope's audit data. */
  label: string;
  checkpoints: CheckpointStore;
  ingest: (envelope: Envelope) => Promise<IngestResult>;
  /** Keeps a message that cannot be turned into an envelope (ChannelHost.keepUnreadable). */
  keepUnreadable: (reason: string, source: Buffer) => Promise<void>;
  ourAddress: string;
  maxAttachmentBytes: number;
  /** Where attachments' bytes are kept (the blob store); absent: only their description is. */
  files?: AttachmentFiles | undefined;
  maxMessageBytes: number;
  log: Logger;
  /** Checked between messages: a stopping adapter finishes the message in hand, then returns. */
  shouldStop: () => boolean;
}

interface Candidate {
  uid: number;
  size: number;
}

/**
 * Stores every message the checkpoint does not cover yet, oldest first. Each
 * message is acknowledged to the mailbox (flagged or moved) and the checkpoint
 * advanced only after the core has stored it, so a crash at any point leads to
 * a re-read, which the core's dedupe on Message-ID absorbs, and never to a loss.
 * Returns how many messages were handed to the core.
 */
export async function drainMailbox(ctx: DrainContext): Promise<number> {
  const box = ctx.client.mailbox;
  if (!box) throw new Error(`${ctx.label}: mailbox is not selected`);
  const uidValidity = box.uidValidity.toString();
  const saved = await ctx.checkpoints.load();
  const resume = saved !== null && saved.uidValidity === uidValidity;
  if (saved && !resume) {
    ctx.log.warn(
      { mailbox: ctx.label, was: saved.uidValidity, now: uidValidity },
      'UIDVALIDITY changed: reading the mailbox again',
    );
  }
  // UIDs of another UIDVALIDITY mean nothing: a changed mailbox is read from the start.
  const from = resume ? saved.lastUid : 0;
  const { candidates, top } = resume ? await newSince(ctx, from) : await unprocessed(ctx, box.exists);
  if (candidates.length === 0) {
    if (!resume || top > from) await ctx.checkpoints.save({ uidValidity, lastUid: Math.max(top, from) });
    return 0;
  }
  let handled = 0;
  for (let i = 0; i < candidates.length; i++) {
    if (ctx.shouldStop()) break;
    const c = candidates[i] as Candidate;
    if (await processOne(ctx, c, uidValidity)) handled++;
    // Everything below the next candidate is stored or was skipped on purpose.
    const next = candidates[i + 1];
    const checkpoint: Checkpoint = { uidValidity, lastUid: next ? next.uid - 1 : Math.max(top, c.uid) };
    await ctx.checkpoints.save(checkpoint);
  }
  return handled;
}

/** Messages above the checkpoint. `N:*` also returns the highest message when N is past it, hence the filter. */
async function newSince(ctx: DrainContext, lastUid: number): Promise<{ candidates: Candidate[]; top: number }> {
  const list = await ctx.client.fetchAll(`${lastUid + 1}:*`, { uid: true, size: true }, { uid: true });
  const candidates = list.filter((m) => m.uid > lastUid).map(toCandidate);
  candidates.sort((a, b) => a.uid - b.uid);
  return { candidates, top: candidates.at(-1)?.uid ?? lastUid };
}

/** First read of a mailbox (or after UIDVALIDITY changed): everything not yet marked as processed. */
async function unprocessed(ctx: DrainContext, exists: number): Promise<{ candidates: Candidate[]; top: number }> {
  if (exists === 0) return { candidates: [], top: 0 };
  const list = await ctx.client.fetchAll('1:*', { uid: true, size: true, flags: true }, { uid: true });
  const flag = ctx.mailbox.flag.toLowerCase();
  const open = list.filter(
    (m) => ctx.mailbox.onProcessed === 'move' || ![...(m.flags ?? [])].some((f) => f.toLowerCase() === flag),
  );
  const candidates = open.map(toCandidate).sort((a, b) => a.uid - b.uid);
  return { candidates, top: list.reduce((max, m) => Math.max(max, m.uid), 0) };
}

function toCandidate(m: FetchMessageObject): Candidate {
  return { uid: m.uid, size: m.size ?? 0 };
}

/** Fetches, parses and stores one message, then marks it processed. False when there was nothing to store. */
async function processOne(ctx: DrainContext, c: Candidate, uidValidity: string): Promise<boolean> {
  const { client, log } = ctx;
  const uid = String(c.uid);
  const origin: MailOrigin = { mailbox: ctx.label, uid: c.uid, uidValidity };
  let source: Buffer;
  if (c.size > ctx.maxMessageBytes) {
    const m = await client.fetchOne(uid, { uid: true, headers: true }, { uid: true });
    if (m === false || !m.headers) return gone(ctx, c);
    source = Buffer.concat([m.headers, Buffer.from('\r\n')]);
    origin.tooLarge = { size: c.size, limit: ctx.maxMessageBytes };
  } else {
    const m = await client.fetchOne(uid, { uid: true, source: true }, { uid: true });
    if (m === false || !m.source) return gone(ctx, c);
    source = m.source;
  }
  const stored = await readOrKeep({ keepUnreadable: ctx.keepUnreadable }, source, async () => {
    const mail = await parseMail(source, { maxAttachmentBytes: ctx.maxAttachmentBytes });
    mail.attachments = await keepParts(ctx, mail);
    const r = await ctx.ingest(toEnvelope(mail, ctx.ourAddress, origin));
    log.debug({ mailbox: ctx.label, uid: c.uid, messageId: mail.messageId, duplicate: r.duplicate }, 'mail stored');
    return r;
  });
  // The message itself cannot be read or was refused: retrying cannot help, and must not block the
  // mailbox. It is kept in the store and left unmarked in the mailbox, for a person to look at.
  if (!stored) return false;
  if (ctx.mailbox.onProcessed === 'move' && ctx.mailbox.moveTo) {
    await client.messageMove(uid, ctx.mailbox.moveTo, { uid: true });
  } else {
    await client.messageFlagsAdd(uid, [ctx.mailbox.flag], { uid: true });
  }
  return true;
}

function gone(ctx: DrainContext, c: Candidate): false {
  ctx.log.info({ mailbox: ctx.label, uid: c.uid }, 'message vanished before it was read');
  return false;
}

/**
 * Keeps each attachment's bytes before the message is stored, so the stored message names kept
 * files. A part refused for good (the scan flagged it) keeps its reason instead and the message is
 * still stored; a failure that may pass throws, so the mail is read again rather than stored
 * without its file. Content addressing makes a re-read keep nothing twice.
 */
async function keepParts(ctx: DrainContext, mail: InboundMail): Promise<Attachment[]> {
  const files = ctx.files;
  if (!files) return mail.attachments;
  const out: Attachment[] = [];
  for (const [i, meta] of mail.attachments.entries()) {
    const bytes = mail.contents[i];
    if (!bytes) {
      out.push(meta);
      continue;
    }
    try {
      out.push({ ...(await files.keep(bytes, meta.contentType, meta.name)), size: bytes.length });
    } catch (err) {
      // Only a refusal for good (the scan flagged the file) is kept as the reason. Anything that may
      // pass (the scanner or the store down) leaves the mail unacknowledged, to be read again.
      if (!(err instanceof MediaError && err.final)) {
        ctx.log.error(
          { err, mailbox: ctx.label, messageId: mail.messageId },
          'attachment not kept now: mail left to read again',
        );
        throw err;
      }
      const reason = err.message;
      ctx.log.warn(
        { mailbox: ctx.label, messageId: mail.messageId, attachment: meta.name, reason },
        'attachment not kept',
      );
      out.push({ ...meta, error: reason });
    }
  }
  return out;
}

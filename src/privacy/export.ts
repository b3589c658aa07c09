import { type Actor, audit } from '../access/audit.ts';
import type { BlobStore } from '../blobs/contract.ts';
import { liveContact } from '../contacts/merge.ts';
import type { Attachment, Contact, Conversation, Identity, Message } from '../model/types.ts';
import type { AuditEntry } from '../store/access-records.ts';
import type { MergeRecord } from '../store/contact-records.ts';
import type { Store } from '../store/contract.ts';
import type { CsatAnswer } from '../store/privacy-tx-ops.ts';

/** Everything held about one person, as the export answers it (GDPR art. 15 and 20). */
export interface ContactExport {
  format: 'touchpoint.contact-export/1';
  exportedAt: string;
  contact: Contact;
  identities: Identity[];
  tags: string[];
  merges: MergeRecord[];
  /** Channels they opted out of (`*`: all); their STOP/START messages are among the messages. */
  consent: { optedOut: string[] };
  erasure: { status: 'pending' | 'done'; finishedAt: number | null } | null;
  conversations: Array<
    Conversation & {
      /** What flows asked and kept (answers, variables), as the conversation holds them. */
      flowAnswers: Record<string, unknown> | null;
      messages: Array<Message & { attachments: ExportedAttachment[] }>;
    }
  >;
  csat: CsatAnswer[];
  /** What agents and admins did about them or their conversations. */
  audit: AuditEntry[];
}

/**
 * An attachment with its bytes: `contentBase64` holds the file (base64) when
 * the blob store has it; `missing` says it had none (never fetched, or gone).
 */
export type ExportedAttachment = Attachment & { contentBase64?: string; missing?: true };

const MAX_CONVERSATIONS = 10_000;
const PAGE = 1000;

/** The export of a contact (by its live id); the export itself is audited. */
export async function exportContact(
  store: Store,
  contactId: string,
  actor: Actor,
  now: number,
  blobs?: BlobStore,
): Promise<ContactExport> {
  const contact = await store.transaction((tx) => liveContact(tx, contactId));
  const [identities, tags, merges, erasure, conversations] = await Promise.all([
    store.listIdentities(contact.id),
    store.tagsOf(contact.id),
    store.listMerges(contact.id),
    store.erasureStatus(contact.id),
    store.findConversationsOfContact(contact.id, { limit: MAX_CONVERSATIONS }),
  ]);
  const withMessages = [];
  for (const c of conversations) {
    const messages: Message[] = [];
    for (let after: string | null = null; ; ) {
      const page = await store.listMessages(c.id, { includeInternal: true, limit: PAGE, afterId: after });
      messages.push(...page);
      if (page.length < PAGE) break;
      after = page.at(-1)?.id ?? null;
    }
    const withFiles = [];
    for (const m of messages) withFiles.push({ ...m, attachments: await withBytes(m.attachments, blobs) });
    withMessages.push({ ...c, flowAnswers: c.flowState, messages: withFiles });
  }
  const ids = conversations.map((c) => c.id);
  const auditEntries = await auditAbout(store, contact.id, ids);
  const csat = await store.csatAnswers(ids);
  await store.transaction((tx) =>
    audit(tx, actor, 'export', { contactId: contact.id }, { conversations: ids.length }, now),
  );
  return {
    format: 'touchpoint.contact-export/1',
    exportedAt: new Date(now).toISOString(),
    contact,
    identities,
    tags,
    merges,
    consent: { optedOut: contact.optOuts },
    erasure,
    conversations: withMessages,
    csat,
    audit: auditEntries,
  };
}

async function auditAbout(store: Store, contactId: string, conversationIds: string[]): Promise<AuditEntry[]> {
  const seen = new Map<string, AuditEntry>();
  const queries = [{ contactId }, ...conversationIds.map((conversationId) => ({ conversationId }))];
  for (const q of queries) for (const e of await store.listAudit({ ...q, limit: 1000 })) seen.set(e.id, e);
  return [...seen.values()].sort((a, b) => a.at - b.at || a.id.localeCompare(b.id));
}

/** The attachments with their bytes from the blob store (none asked for without a store). */
async function withBytes(attachments: Attachment[], blobs: BlobStore | undefined): Promise<ExportedAttachment[]> {
  if (!blobs || attachments.length === 0) return attachments;
  const out: ExportedAttachment[] = [];
  for (const a of attachments) {
    const bytes = a.blobKey ? await blobs.get(a.blobKey) : null;
    out.push(bytes ? { ...a, contentBase64: bytes.toString('base64') } : { ...a, missing: true });
  }
  return out;
}

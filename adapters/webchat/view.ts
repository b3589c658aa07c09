import {
  type Attachment,
  type AttachmentFiles,
  type ChoiceOption,
  choiceQuestionOf,
  type Message,
  type OutboundMessage,
} from '../../src/channel/index.ts';

/** A message as the browser sees it: no internal ids beyond what the page needs. */
export interface ChatMessageView {
  id: string;
  from: 'customer' | 'bot' | 'agent' | 'system';
  name: string | null;
  text: string;
  at: number;
  /** For the visitor's own messages: the id the browser gave it, to replace its pending bubble. */
  clientId?: string;
  /** A choice question's options: the page shows them as buttons under the latest message (`text` is then the question alone). */
  choices?: ChoiceOption[];
  /** Files with the message: a link (relative to the chat page) for kept ones, the reason for others. */
  files?: ChatFileView[];
}

export interface ChatFileView {
  name: string;
  contentType: string;
  url: string | null;
  error?: string;
}

/**
 * The message's files as the page shows them. Links are made relative (`media/…`) so the page,
 * whose CSP allows images from its own origin only, loads them from wherever it is served.
 */
function filesOf(attachments: readonly Attachment[] | undefined, files: AttachmentFiles | null | undefined) {
  if (!attachments || attachments.length === 0) return undefined;
  return attachments.map((a): ChatFileView => {
    const link = a.blobKey ? (files?.link(a) ?? null) : null;
    const url = link ? relative(link) : null;
    const view: ChatFileView = { name: a.name ?? a.contentType, contentType: a.contentType, url };
    if (!url) view.error = a.error ?? 'not available';
    return view;
  });
}

function relative(link: string): string {
  const u = new URL(link);
  return `${u.pathname.replace(/^\/+/, '')}${u.search}`;
}

/** The text, or the question alone with its options as buttons. */
function withChoices(view: ChatMessageView, m: { text: string; parts?: unknown[] | undefined }): ChatMessageView {
  const asked = choiceQuestionOf(m);
  return asked ? { ...view, text: asked.question, choices: asked.options } : view;
}

/** Agent notes never reach the browser, whatever a caller hands us. */
export const isVisible = (m: Message) => m.visibility === 'customer';

export function viewOfMessage(m: Message, visitorId: string, files?: AttachmentFiles | null): ChatMessageView {
  const view: ChatMessageView = {
    id: m.id,
    from: m.direction === 'inbound' ? 'customer' : authorKind(m.author.kind),
    name: m.direction === 'inbound' ? null : (m.author.name ?? null),
    text: m.text,
    at: m.createdAt,
  };
  const shown = filesOf(m.attachments, files);
  if (shown) view.files = shown;
  const prefix = `${visitorId}:`;
  if (m.direction === 'inbound' && m.providerId?.startsWith(prefix)) view.clientId = m.providerId.slice(prefix.length);
  return m.direction === 'outbound' ? withChoices(view, m) : view;
}

export function viewOfOutbound(m: OutboundMessage, at: number, files?: AttachmentFiles | null): ChatMessageView {
  const shown = filesOf(m.attachments, files);
  return withChoices(
    {
      id: m.messageId,
      from: authorKind(m.author.kind),
      name: m.author.name ?? null,
      text: m.text,
      at,
      ...(shown ? { files: shown } : {}),
    },
    m,
  );
}

const authorKind = (kind: Message['author']['kind']): ChatMessageView['from'] =>
  kind === 'contact' ? 'customer' : kind;

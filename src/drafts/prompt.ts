import type { KnowledgeHit } from '../knowledge/search.ts';
import type { Contact, Conversation, Message } from '../model/types.ts';
import type { PersonalDataDetector } from '../outbound/personal-data.ts';

/**
 * Exactly what a draft request sends to the chat completions endpoint: a
 * system message (the business, the rules, the owner's instructions), the
 * knowledge entries that best match the customer's last message, a summary
 * of the contact's earlier conversations, and the latest messages of this
 * conversation as user/assistant turns. Internal notes are never sent. With
 * `redact`, personal data and the customer's name are replaced by labels.
 */

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface PromptInput {
  business: string;
  conversation: Conversation;
  contact: Contact | null;
  /** This conversation's messages, oldest first (internal notes are dropped here). */
  messages: Message[];
  /** The contact's other conversations, newest first. */
  earlier: Conversation[];
  articles: KnowledgeHit[];
  instructions: string | undefined;
  /** Null: send the text as it is. */
  redact: PersonalDataDetector | null;
}

const RULES = [
  'You draft a reply for a human support agent, who reads and may edit it before anything is sent.',
  'Write only the reply to the customer: no greeting line for the agent, no notes, no placeholders in brackets unless a fact is unknown.',
  'Use only facts from the knowledge entries and the conversation; if they do not answer the question, say a colleague will check and reply.',
  'Keep it short and friendly, in the language the customer wrote in.',
];

export function buildPrompt(p: PromptInput): ChatMessage[] {
  const clean = (text: string) => (p.redact ? redact(text, p.redact, p.contact?.name ?? null) : text);
  const c = p.conversation;
  const system = [
    `You help the support team of ${p.business}.`,
    ...RULES,
    ...(p.instructions ? [p.instructions] : []),
    `The customer wrote on ${c.touchpoint.channel} (${c.touchpoint.visibility}).`,
    ...(c.intent || c.category ? [`Intent: ${c.intent ?? 'unknown'}; category: ${c.category ?? 'unknown'}.`] : []),
  ];
  if (p.articles.length > 0) {
    system.push('Knowledge entries:');
    for (const a of p.articles) system.push(`- ${a.title}: ${a.answer}${a.url ? ` (${a.url})` : ''}`);
  }
  if (p.earlier.length > 0) {
    system.push("The customer's earlier conversations:");
    for (const e of p.earlier)
      system.push(
        `- ${new Date(e.createdAt).toISOString().slice(0, 10)} on ${e.touchpoint.channel}: ${e.intent ?? e.category ?? 'no intent'}, ${e.status}`,
      );
  }
  const turns: ChatMessage[] = p.messages
    .filter((m) => m.visibility === 'customer' && m.text.trim() !== '')
    .map((m) => ({ role: m.direction === 'inbound' ? 'user' : 'assistant', content: clean(m.text) }));
  return [{ role: 'system', content: system.join('\n') }, ...turns];
}

/** Personal data found by the detector, and the customer's name, replaced by what they are. */
export function redact(text: string, detector: PersonalDataDetector, name: string | null): string {
  let out = text;
  // longest first, so a number inside a longer finding is not replaced twice
  const findings = detector.find(text).sort((a, b) => b.text.length - a.text.length);
  for (const f of findings) out = out.replaceAll(f.text, `[${f.kind}]`);
  for (const part of (name ?? '').split(/\s+/).filter((w) => w.length >= 2)) out = replaceWord(out, part, '[name]');
  return out;
}

function replaceWord(text: string, word: string, by: string): string {
  const lower = text.toLowerCase();
  const w = word.toLowerCase();
  const isLetter = (ch: string | undefined) => ch !== undefined && /[\p{L}\p{N}]/u.test(ch);
  let out = '';
  let from = 0;
  for (let at = lower.indexOf(w); at >= 0; at = lower.indexOf(w, at + w.length)) {
    if (isLetter(text[at - 1]) || isLetter(text[at + w.length])) continue;
    out += text.slice(from, at) + by;
    from = at + w.length;
  }
  return out + text.slice(from);
}

import type { Identity } from '../model/types.ts';

/**
 * Why two contacts may be one person: a message or form naming the other's
 * address or number, the same name, or a business event naming identities of both.
 */
export type SuggestionReason = 'mentioned_email' | 'mentioned_phone' | 'same_name' | 'same_event' | 'proved_by_code';
export type SuggestionStatus = 'pending' | 'accepted' | 'rejected';

export interface NewSuggestion {
  /** The contact on whose activity the match was noticed. */
  contactId: string;
  otherId: string;
  reason: SuggestionReason;
  /** What was seen, for the agent: `wrote "ann@example.com" on sms`. */
  evidence: string;
}

export interface MergeSuggestion extends NewSuggestion {
  id: string;
  status: SuggestionStatus;
  createdAt: number;
  decidedAt: number | null;
  decidedBy: string | null;
}

/** What a merge moved from one contact to the other, kept with the merge. */
export interface MergeMoved {
  identities: Array<Pick<Identity, 'kind' | 'value'>>;
  conversations: string[];
  /** Pending timers of the moved conversations (they move with them). */
  timers: number;
  tags: string[];
  /** Attributes taken from the merged-away contact; `kept` lists the keys where the surviving contact's value won. */
  attributes: { moved: string[]; kept: Record<string, unknown> };
  optOuts: string[];
}

export interface MergeRecord {
  id: string;
  fromId: string;
  intoId: string;
  by: string;
  at: number;
  moved: MergeMoved;
}

/** What the store moves by itself; the contact's own fields (attributes, opt-outs …) are the caller's to combine. */
export type MovedRows = Pick<MergeMoved, 'identities' | 'conversations' | 'timers' | 'tags'>;

/** What is recorded about a contact over time: consent given or withdrawn, an opt-out set or lifted, VIP on or off. */
export type ContactChangeKind = 'consent' | 'opt-out' | 'vip';

export interface ContactChange {
  id: string;
  contactId: string;
  kind: ContactChangeKind;
  /** The channel a consent or opt-out is for (`*` for all); null for VIP. */
  channel: string | null;
  /** Consent given, opted out, VIP: true; withdrawn, opted back in, no longer VIP: false. */
  on: boolean;
  /** Who or what: `event purchase.completed`, `keyword STOP`, `agent U123`, `vip rule lifetimeSpend >= 1000` … */
  source: string;
  at: number;
}

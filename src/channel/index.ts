/**
 * The one door between the core and the channel adapters: an adapter imports
 * from `src/` only through this module (test/channel/boundary.test.ts holds
 * both sides to it), so what the core promises adapters is the list below and
 * the core's files can move without touching an adapter.
 */

export { type Clock, systemClock } from '../clock.ts';
export { parseDuration } from '../duration.ts';
// The error taxonomy: refusals answered over HTTP, send failures sorted for the outbox.
export {
  badRequest,
  ErrorCode,
  forbidden,
  HeldError,
  type HoldScope,
  HttpError,
  MediaError,
  notFound,
  permanent,
  rateLimited,
  SendError,
  TouchpointError,
  transient,
  unauthorized,
  uncertain,
} from '../errors.ts';
export { CorsPolicy } from '../http/cors.ts';
export { escapeHtml, pageHeaders } from '../http/html.ts';
// HTTP helpers for the routes an adapter registers.
export type { HttpRequest, HttpResponse, RouteRegistry, Takeover } from '../http/http-types.ts';
export { IpRateLimit, TooManyRequests } from '../http/ip-rate-limit.ts';
export { describeIssues, jsonBody, parseJson, validate } from '../http/json-body.ts';
export { newId } from '../ids.ts';
export { type Logger, truncate } from '../log.ts';
// What messages, contacts and conversations look like.
export type {
  Attachment,
  Contact,
  Conversation,
  DeliveryStatus,
  Envelope,
  EnvelopeFlags,
  Identity,
  IdentityRef,
  Message,
  OutboundMessage,
  Priority,
  Touchpoint,
  Visibility,
} from '../model/types.ts';
// For an adapter that is also an agent desk (Slack).
export type { DeliveryRetry, DeskBug, DeskHost, DeskQa, DeskQaReview, FileRetry } from '../people/desk-events.ts';
export { SNOOZE_LABELS, SNOOZE_PRESETS, type SnoozePreset, snoozeUntil } from '../people/snooze-presets.ts';
// The one retry policy: exponential backoff with full jitter, capped.
export { type Backoff, createBackoff } from '../retry/backoff.ts';
export type { MergeSuggestion } from '../store/contact-records.ts';
// Time, logs, ids and settings values.
export { type ChoiceOption, type ChoiceQuestion, choiceQuestionOf } from './choices.ts';
// The contract an adapter implements and the host the core hands it.
export type {
  AdapterDefinition,
  AdapterRegistry,
  AttachmentFiles,
  ChannelAdapter,
  ChannelCapabilities,
  ChannelHost,
  ChannelState,
  ConfigFacts,
  FileLimits,
  IngestResult,
  QueuedReply,
  RateLimit,
  SendCheck,
  SendResult,
  StartedThread,
  StartThreadRequest,
  UnconfirmedSend,
} from './contract.ts';
export type { Exclusive } from './exclusive.ts';
export { qaReviewOf, qaReviewPart } from './qa-part.ts';
export type { MediaSource } from './safe-fetch.ts';
// A signed payload the adapter cannot read: kept for inspection and acknowledged, never retried forever.
export { failsEveryTime, readOrKeep, reasonOf } from './unreadable.ts';

import { type DestinationStream, type Logger, pino } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

/** Longest string a log line keeps from one field: webhooks put what senders wrote into messages and fields. */
export const LOG_FIELD_MAX = 1_000;
const STACK_MAX = 4_000;

/** `text` cut to `max` characters, saying how much was left out. */
export function truncate(text: string, max = LOG_FIELD_MAX): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

/*
 * Numbers and addresses inside free text (a provider's error quoting the
 * recipient, a reason naming a sender) are masked too. Both patterns repeat a
 * bounded number of times, so a long string costs linear time.
 */
const PHONE = /(?:whatsapp:)?\+[1-9]\d{6,14}(?!\d)/g;
const EMAIL = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,8}/g;

/** `text` with phone numbers and email addresses masked. */
export function maskPersonal(text: string): string {
  return text.replace(PHONE, '[phone]').replace(EMAIL, '[email]');
}

function truncateFields(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return maskPersonal(truncate(value));
  if (depth === 0 || value === null || typeof value !== 'object' || value instanceof Error) return value;
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => truncateFields(v, depth - 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = truncateFields(v, depth - 1);
  return out;
}

function truncatedError(err: Error): Record<string, unknown> {
  // Anything thrown may be logged as `err`; what is not an Error is left to the field formatter.
  if (!(err instanceof Error)) return err;
  const s = pino.stdSerializers.err(err);
  return { ...s, message: maskPersonal(truncate(s.message)), stack: maskPersonal(truncate(s.stack ?? '', STACK_MAX)) };
}

/**
 * Fields no log line may show, at the top of an entry or one level down
 * (`{ job: { destination } }`), and in the request and error shapes pino and
 * HTTP clients log: secrets, tokens and signatures, and personal data
 * (numbers, addresses, names, what people wrote, raw provider payloads).
 */
const SECRET_FIELDS = [
  'authorization',
  'cookie',
  'token',
  'authToken',
  'accessToken',
  'botToken',
  'appToken',
  'adminToken',
  'apiKey',
  'secret',
  'signingSecret',
  'appSecret',
  'password',
  'pass',
  'signature',
];
const PERSONAL_FIELDS = [
  'text',
  'body',
  'rawBody',
  'payload',
  'envelope',
  'from',
  'to',
  'phone',
  'email',
  'address',
  'destination',
  'customer',
  'identity',
  'contact',
  'profileName',
];
const SIGNATURE_HEADERS = [
  'x-twilio-signature',
  'x-slack-signature',
  'x-hub-signature',
  'x-hub-signature-256',
  'x-touchpoint-signature',
];
export const REDACT_PATHS = [
  ...[...SECRET_FIELDS, ...PERSONAL_FIELDS].flatMap((f) => [f, `*.${f}`]),
  // Top level only: one level down, `name` is an error's class (TouchpointError sets it).
  'name',
  ...['headers', 'req.headers', 'err.config.headers', 'err.response.headers', 'err.request.headers'].flatMap((h) => [
    `${h}.authorization`,
    `${h}.cookie`,
    ...SIGNATURE_HEADERS.map((s) => `${h}["${s}"]`),
  ]),
  'err.config.data',
  'err.response.data',
];

/** Every string a line carries (message, fields, error messages) is cut to a bounded length; secrets and personal fields are masked. */
const bounded = {
  redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  formatters: { log: (obj: Record<string, unknown>) => truncateFields(obj, 3) as Record<string, unknown> },
  serializers: { err: truncatedError },
  hooks: {
    logMethod(this: Logger, args: unknown[], method: (...a: unknown[]) => void) {
      method.apply(
        this,
        args.map((a) => (typeof a === 'string' ? maskPersonal(truncate(a)) : a)),
      );
    },
  },
};

/** `pretty` on a terminal, JSON lines otherwise (a log collector); `LOG_FORMAT=json|pretty` decides instead. */
export function logFormat(env: Record<string, string | undefined>, isTTY: boolean): 'json' | 'pretty' {
  if (env.LOG_FORMAT === 'json' || env.LOG_FORMAT === 'pretty') return env.LOG_FORMAT;
  return isTTY ? 'pretty' : 'json';
}

/** One readable line per entry: time, level, message, then the fields that matter. */
export function prettyStream(destination?: NodeJS.WritableStream): DestinationStream {
  return pretty({
    colorize: destination === undefined,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname,app',
    singleLine: true,
    sync: true,
    ...(destination ? { destination } : {}),
  });
}

/**
 * Structured logs. `LOG_LEVEL` sets the level (default `info`, `silent`
 * under tests so runs stay readable); see logFormat for the format.
 */
export function createLogger(bindings: Record<string, unknown> = {}, destination?: DestinationStream): Logger {
  const level = process.env.LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info');
  const options = { level, base: { app: 'touchpoint', ...bindings }, ...bounded };
  if (destination) return pino(options, destination);
  return logFormat(process.env, process.stdout.isTTY === true) === 'pretty'
    ? pino(options, prettyStream())
    : pino(options);
}

export const silentLogger: Logger = pino({ level: 'silent' });

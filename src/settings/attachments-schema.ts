import { z } from 'zod';

/** router.yaml's `attachments`: where files are kept, how they are fetched from providers, how long links live. */

const duration = z
  .string()
  .regex(/^\d+(ms|s|m|h|d)$/, 'a duration such as 30s, 15m, 2h or 7d')
  .describe('A duration: a number followed by ms, s, m, h or d');

const s3 = z
  .object({
    bucket: z.string().min(3).describe('The bucket that keeps the files'),
    prefix: z
      .string()
      .default('touchpoint/')
      .describe('Object names start with this, so deployments can share a bucket'),
    region: z.string().default('us-east-1'),
    endpoint: z.string().url().optional().describe('An S3-compatible server (MinIO, Ceph …); absent: AWS'),
    forcePathStyle: z.boolean().default(true).describe('endpoint/bucket/key URLs, which S3-compatible servers want'),
    accessKeyId: z
      .string()
      .min(1)
      .optional()
      .describe(
        'With secretAccessKey, given as an environment reference; absent: the AWS SDK’s own chain (environment, role)',
      ),
    secretAccessKey: z.string().min(1).optional(),
  })
  .strict()
  .refine((s) => (s.accessKeyId === undefined) === (s.secretAccessKey === undefined), {
    message: 'accessKeyId and secretAccessKey go together',
    path: ['secretAccessKey'],
  });

export const attachmentsSettings = z
  .object({
    store: z
      .enum(['folder', 's3'])
      .default('folder')
      .describe('folder: the data folder (one router); s3: an S3-compatible bucket (several routers)'),
    s3: s3.optional().describe('Required when store is s3'),
    fetch: z
      .object({
        maxBytes: z
          .number()
          .int()
          .min(1)
          .default(20 * 1024 * 1024)
          .describe('Largest file fetched from a provider; a channel may allow less'),
        timeout: duration.default('30s').describe('Time one fetch may take, redirects included'),
        maxRedirects: z.number().int().min(0).max(10).default(3),
        maxAttempts: z.number().int().min(1).default(6).describe('Tries before a failed fetch is given up and shown'),
        testHosts: z
          .array(z.string().min(1))
          .default([])
          .describe(
            'Hosts that may resolve to loopback or private addresses (local test servers only); every other host must resolve to public addresses',
          ),
      })
      .strict()
      .prefault({}),
    scan: z
      .object({
        clamd: z
          .object({
            host: z.string().min(1).default('127.0.0.1'),
            port: z.number().int().min(1).max(65535).default(3310),
          })
          .strict()
          .describe("clamd's TCP socket (INSTREAM protocol)"),
        timeout: duration.default('10s').describe('Time one scan may take'),
        onError: z
          .enum(['reject', 'accept'])
          .default('reject')
          .describe(
            'When the scanner cannot be reached: reject (fail closed: the file is not kept, fetches retry) or accept (fail open: kept unscanned); logged as an error either way',
          ),
      })
      .strict()
      .optional()
      .describe('Virus scan of every file before it is kept (off when absent); a flagged file is not kept'),
    links: z
      .object({
        ttl: duration.default('7d').describe('How long a signed link to a file (MMS media, desk links) stays valid'),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .refine((a) => a.store !== 's3' || a.s3 !== undefined, {
    message: 'store is s3 but no s3 section says which bucket',
    path: ['s3'],
  });

export type AttachmentsSettings = z.infer<typeof attachmentsSettings>;

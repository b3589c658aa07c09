import { z } from 'zod';

/** Field shapes the policy files share. */

export const duration = z
  .string()
  .regex(/^\d+(ms|s|m|h|d)$/, 'a duration such as 30s, 15m, 2h or 3d')
  .describe('A duration: a number followed by ms, s, m, h or d');

export const priority = z.enum(['low', 'normal', 'high', 'urgent']);
export const templateId = z.string().min(1).describe('Template id in templates.yaml');
export const words = z
  .array(z.string().min(1))
  .default([])
  .describe('Words or phrases, matched case-insensitively on word boundaries');
export const patterns = z.array(z.string().min(1)).default([]).describe('Regular expressions (case-insensitive)');
export const personRef = z
  .string()
  .min(1)
  .describe('A person id from oncall.yaml, `oncall` (on duty now) or `next` (next in the rotation)');

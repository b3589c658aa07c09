import type { Attachment } from '../model/types.ts';
import type { FileLimits } from './contract.ts';

/** Why a channel with these limits cannot carry `file` (its type, its size), or null when it can. */
export function fileRefusal(
  limits: FileLimits | undefined,
  file: Pick<Attachment, 'contentType' | 'size'>,
): string | null {
  if (!limits) return null;
  const type = file.contentType.toLowerCase();
  const types = limits.types;
  const typed = !types || types.some((t) => (t.endsWith('/*') ? type.startsWith(t.slice(0, -1)) : type === t));
  if (!typed) return `${type} files are not carried (it takes ${types?.join(', ')})`;
  if (file.size !== undefined && file.size > limits.maxBytes) {
    return `${file.size} bytes is more than its ${limits.maxBytes}-byte limit`;
  }
  return null;
}

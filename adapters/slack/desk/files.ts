import type { Attachment, Message } from '../../../src/channel/index.ts';
import type { WebClient } from '../api/client.ts';
import { esc } from './header.ts';
import type { DeskThread } from './threads.ts';

/** A customer's attachment in words: "photo", "voice message", "video", "file". */
export function kindOf(a: Attachment): string {
  if (a.contentType.startsWith('image/')) return 'photo';
  if (a.contentType.startsWith('audio/')) return 'voice message';
  if (a.contentType.startsWith('video/')) return 'video';
  return 'file';
}

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/gif': 'gif',
  'audio/mpeg': 'mp3',
  'application/pdf': 'pdf',
  'video/mp4': 'mp4',
};

/** The name a file shows under in Slack: the customer's own, else its kind and the message's time. */
function fileName(a: Attachment, m: Message, index: number): string {
  if (a.name) return a.name;
  const ext = EXTENSIONS[a.contentType] ?? 'bin';
  return `${kindOf(a).replace(' ', '-')}-${new Date(m.createdAt).toISOString().slice(0, 10)}-${index + 1}.${ext}`;
}

/** Marks of the attachments already shown in a thread: `messageId:index`. */
export const fileMark = (m: Message, index: number) => `${m.id}:${index}`;

/** A customer's attachment whose fetch is over: kept (shown as the file) or given up (shown with the reason). */
export function settledFiles(messages: Message[], shown: readonly string[]) {
  const out: Array<{ message: Message; attachment: Attachment; index: number }> = [];
  for (const m of messages) {
    if (m.direction !== 'inbound') continue;
    m.attachments.forEach((a, index) => {
      if ((a.blobKey || a.error) && !shown.includes(fileMark(m, index))) out.push({ message: m, attachment: a, index });
    });
  }
  return out;
}

/** The line shown for a customer's attachment that was not kept, with the reason. */
export function notFetchedText(a: Attachment): string {
  const what = `${kindOf(a)}${a.name ? ` (${esc(a.name)})` : ''}`;
  return `:warning: The customer's ${what} could not be fetched: ${esc(a.error ?? 'the kept file is gone')}`;
}

/** The line shown once when a customer's file could not be fetched yet and is tried again. */
export function fileRetryText(a: Attachment, error: string, nextAt: number): string {
  const at = `<!date^${Math.floor(nextAt / 1000)}^{time_secs}|${new Date(nextAt).toISOString().slice(11, 19)} UTC>`;
  const what = `${kindOf(a)}${a.name ? ` (${esc(a.name)})` : ''}`;
  return `:hourglass_flowing_sand: The customer's ${what} could not be fetched yet (${esc(error)}); trying again at ${at}`;
}

/** Puts a kept customer's file into the desk thread through files.uploadV2 (Slack's external upload). */
export async function uploadFile(
  client: WebClient,
  thread: DeskThread,
  f: { message: Message; attachment: Attachment; index: number; bytes: Buffer },
): Promise<void> {
  const name = fileName(f.attachment, f.message, f.index);
  await client.files.uploadV2({
    channel_id: thread.channel,
    thread_ts: thread.ts,
    file: f.bytes,
    filename: name,
    title: name,
  });
}

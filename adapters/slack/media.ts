import type { MediaSource } from '../../src/channel/index.ts';

/** Slack serves shared files from `url_private` on files.slack.com, to the bot token only. */
const HOSTS = ['files.slack.com'];
/** What agents and customers share that a customer's channel can show: pictures, documents, sound, video. */
const TYPES = ['image/*', 'audio/*', 'video/*', 'application/pdf', 'text/plain', 'text/csv'];

export function slackMediaSource(url: string, botToken: string): MediaSource {
  return { url, headers: { authorization: `Bearer ${botToken}` }, hosts: HOSTS, types: TYPES };
}

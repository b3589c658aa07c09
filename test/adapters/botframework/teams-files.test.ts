import { describe, expect, it } from 'vitest';
import { activityEnvelope, messageActivity } from '../../../adapters/botframework/activity.ts';
import { botframeworkMediaSource } from '../../../adapters/botframework/media.ts';
import { TEAMS_FILE_CARD } from '../../../adapters/botframework/teams-files.ts';
import { safeFetch } from '../../../src/channel/safe-fetch.ts';
import { activity } from './support.ts';

/** A file a Teams user shares: a file card whose download link (on SharePoint) is fetched without the bot's token. */
const DOWNLOAD = 'https://contoso.sharepoint.com/personal/ada/_layouts/15/download.aspx?UniqueId=1&tempauth=abc';

function fileCard(downloadUrl: string, fileType = 'pdf') {
  return {
    contentType: TEAMS_FILE_CARD,
    contentUrl: 'https://contoso.sharepoint.com/personal/ada/Documents/receipt.pdf',
    name: 'receipt.pdf',
    content: { downloadUrl, uniqueId: '1', fileType },
  };
}

describe('Teams file cards', () => {
  it('take the card’s download link as the file to fetch, typed by its extension', () => {
    const a = messageActivity.parse(
      activity('https://smba.trafficmanager.net/emea/', {
        attachments: [
          fileCard(DOWNLOAD),
          fileCard(DOWNLOAD, 'xyz'),
          { contentType: TEAMS_FILE_CARD, contentUrl: 'https://contoso.sharepoint.com/x', content: {} },
        ],
      }),
    );
    expect(activityEnvelope(a, 'botframework').attachments).toEqual([
      { contentType: 'application/pdf', url: DOWNLOAD, name: 'receipt.pdf' },
      { contentType: 'application/octet-stream', url: DOWNLOAD, name: 'receipt.pdf' },
    ]);
  });

  it('fetch a SharePoint link without the connector token, and nothing off SharePoint’s hosts', async () => {
    let asked = 0;
    const token = async () => {
      asked++;
      return 'connector-token';
    };
    const services = ['https://smba.trafficmanager.net/*'];
    const source = await botframeworkMediaSource({ contentType: 'application/pdf', url: DOWNLOAD }, services, token);
    expect(source).toMatchObject({ url: DOWNLOAD, hosts: ['*.sharepoint.com'] });
    expect(source?.headers).toBeUndefined();
    expect(asked).toBe(0);

    const elsewhere = 'https://files.evil.example/download.aspx';
    const other = await botframeworkMediaSource({ contentType: 'application/pdf', url: elsewhere }, services, token);
    expect(other?.hosts).not.toContain('*.sharepoint.com');
    await expect(
      safeFetch(other!, { maxBytes: 1_000_000, timeoutMs: 2_000, maxRedirects: 2, testHosts: [] }),
    ).rejects.toThrow(/host files\.evil\.example is not one of this channel's/);
  });
});

import { describe, expect, it } from 'vitest';
import { destinationOf, parseThreadKey, startThread } from '../../../adapters/slack/customer/thread.ts';

/** Posts of the core to a staff channel (crisis banner, QA samples): top-level messages in that channel. */
describe('Slack staff-channel posts', () => {
  it('starts a post thread for a channel id, a DM for a user id, and nothing for other addresses', () => {
    expect(startThread({ to: { kind: 'slack', value: 'C0123DESK' } })).toEqual({
      threadKey: 'post:C0123DESK',
      touchpoint: { channel: 'slack', kind: 'slack.channel', visibility: 'private' },
      replyRef: null,
    });
    expect(startThread({ to: { kind: 'slack', value: 'U0123MAYA' } })?.threadKey).toBe('dm:U0123MAYA');
    expect(startThread({ to: { kind: 'slack', value: '#desk' } })).toBeNull();
    expect(startThread({ to: { kind: 'email', value: 'C0123DESK' } })).toBeNull();
  });

  it('round-trips the key and paces by the channel', () => {
    expect(parseThreadKey('post:C0123DESK')).toEqual({ kind: 'post', channel: 'C0123DESK' });
    expect(parseThreadKey('post:U0123')).toBeNull();
    expect(destinationOf('post:C0123DESK', null)).toBe('C0123DESK');
  });
});

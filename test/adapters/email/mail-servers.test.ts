import { describe, expect, it } from 'vitest';
import { assertMailServersInstalled } from '../../support/mail-servers.ts';

describe('mail server helper', () => {
  it('names the Debian packages to install when binaries are missing, instead of skipping', () => {
    expect(() => assertMailServersInstalled(() => false, 0)).toThrow(
      /Install the Debian packages: apt-get install --no-install-recommends dovecot-core dovecot-imapd dovecot-lmtpd postfix/,
    );
    expect(() => assertMailServersInstalled((p) => !p.includes('lmtp'), 0)).toThrow(
      /\/usr\/lib\/dovecot\/lmtp.* dovecot-lmtpd$/,
    );
  });

  it('refuses to run unprivileged with a clear reason', () => {
    expect(() => assertMailServersInstalled(() => true, 1000)).toThrow(/need root/);
  });
});

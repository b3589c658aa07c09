import type { ChildProcess } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawnServer, waitForGreeting } from './daemon.ts';

/** A private Dovecot: IMAP and LMTP on 127.0.0.1, users in a passwd-file, maildirs in the test folder. */

export const DOVECOT_BINARY = '/usr/sbin/dovecot';

export interface MailUser {
  address: string;
  password: string;
}

/** Mail files belong to nobody: Dovecot refuses to deliver as root. */
const MAIL_UID = 65534;
const MAIL_GID = 65534;

export async function writeDovecotConfig(
  dir: string,
  users: MailUser[],
  imapPort: number,
  lmtpPort: number,
): Promise<void> {
  const d = join(dir, 'dovecot');
  for (const sub of ['run', 'state']) await mkdir(join(d, sub), { recursive: true });
  const mail = join(dir, 'mail');
  await mkdir(mail, { recursive: true });
  await chmod(mail, 0o777);
  const passwd = users
    .map((u) => `${u.address}:{PLAIN}${u.password}:${MAIL_UID}:${MAIL_GID}::${join(mail, u.address)}::`)
    .join('\n');
  await writeFile(join(d, 'users'), `${passwd}\n`, { mode: 0o644 });
  const conf = `
instance_name = tp-${imapPort}
base_dir = ${join(d, 'run')}
state_dir = ${join(d, 'state')}
log_path = ${join(d, 'dovecot.log')}
listen = 127.0.0.1
protocols = imap lmtp
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:~/Maildir
recipient_delimiter = +
lmtp_save_to_detail_mailbox = no
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${join(d, 'users')}
}
userdb {
  driver = passwd-file
  args = username_format=%u ${join(d, 'users')}
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${imapPort}
  }
  inet_listener imaps {
    port = 0
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = ${lmtpPort}
  }
}
`;
  await writeFile(join(d, 'dovecot.conf'), conf);
}

export async function startDovecot(dir: string, imapPort: number, lmtpPort: number): Promise<ChildProcess> {
  const proc = spawnServer(
    DOVECOT_BINARY,
    ['-F', '-c', join(dir, 'dovecot', 'dovecot.conf')],
    {},
    join(dir, 'dovecot', 'output.log'),
  );
  await Promise.all([waitForGreeting(proc, imapPort, '* OK'), waitForGreeting(proc, lmtpPort, '220')]);
  return proc;
}

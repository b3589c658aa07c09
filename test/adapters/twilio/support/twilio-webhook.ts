import twilio from 'twilio';

/**
 * Posts a webhook the way Twilio does: form-encoded, signed with
 * `X-Twilio-Signature` computed by the twilio library over the public URL and
 * the sorted parameters — never by the code under test.
 */
export async function postWebhook(o: {
  harnessUrl: string;
  publicBase: string;
  path: string;
  params: Record<string, string>;
  authToken: string;
  signature?: 'valid' | 'missing' | 'wrong-token';
}): Promise<{ status: number; body: string; contentType: string | null }> {
  const mode = o.signature ?? 'valid';
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (mode !== 'missing') {
    const token = mode === 'valid' ? o.authToken : `${o.authToken}-wrong`;
    headers['x-twilio-signature'] = twilio.getExpectedTwilioSignature(token, `${o.publicBase}${o.path}`, o.params);
  }
  const res = await fetch(`${o.harnessUrl}${o.path}`, {
    method: 'POST',
    headers,
    body: new URLSearchParams(o.params).toString(),
  });
  return { status: res.status, body: await res.text(), contentType: res.headers.get('content-type') };
}

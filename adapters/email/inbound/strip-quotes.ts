/**
 * The new part of a reply: quoted history and signatures removed, so that the
 * classifier reads what the customer wrote now and not the whole thread. The
 * full text stays available beside it. Deliberately conservative: a forwarded
 * message is content and is kept; only well-known reply markers cut.
 */

/** "On <date>, <name> wrote:" and its common translations; may be wrapped over up to three lines. */
const REPLY_HEADER = [
  /^On\b.{0,300}\bwrote:$/i,
  /^Am\b.{0,300}\bschrieb\b.{0,200}:$/i,
  /^Le\b.{0,300}\ba écrit\s?:$/i,
  /^El\b.{0,300}\bescribió:$/i,
  /^Op\b.{0,300}\bschreef\b.{0,200}:$/i,
  /^Il\b.{0,300}\bha scritto:$/i,
  /^Em\b.{0,300}\bescreveu:$/i,
  /^(Den|På)\b.{0,300}\bskrev\b.{0,200}:$/i,
];

const ORIGINAL_MESSAGE =
  /^-{2,}\s*(Original Message|Ursprüngliche Nachricht|Message d'origine|Mensaje original|Oorspronkelijk bericht|Messaggio originale|Mensagem original)\s*-{2,}$/i;

/** Outlook's quoted header block: From:, then Sent:/Date: and To:/Subject: within a few lines. */
const OUTLOOK_FROM = /^\*?(From|Von|De|Da|Van|Från|Fra):\*?\s/i;
const OUTLOOK_DATE = /^\*?(Sent|Date|Gesendet|Datum|Envoyé|Enviado|Inviato|Verzonden|Skickat|Sendt):\*?\s/i;
const OUTLOOK_TO = /^\*?(To|Subject|An|Betreff|À|Objet|Para|Asunto|A|Oggetto|Aan|Onderwerp|Till|Ämne|Til|Emne):\*?\s/i;

const SEPARATOR = /^_{10,}$/;
const SIGNATURE_DELIMITER = /^-- ?$/;
const MOBILE_SIGNATURE =
  /^(Sent from my \w+|Sent from (Mail|Outlook|Yahoo Mail) for \w+|Get Outlook for \w+|Von meinem \w+ gesendet|Envoyé de mon \w+|Enviado desde mi \w+|Inviato da \w+)/i;

/** A signature longer than this many lines after `-- ` is more likely content than a signature. */
const MAX_SIGNATURE_LINES = 15;

export function stripQuoted(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  let end = lines.length;
  for (let i = 0; i < lines.length; i++) {
    if (startsHistory(lines, i)) {
      end = i;
      break;
    }
  }
  const kept = lines.slice(0, end).filter((l) => !/^\s*>/.test(l));
  return trimLines(cutSignature(kept)).join('\n');
}

function startsHistory(lines: readonly string[], i: number): boolean {
  const line = (lines[i] ?? '').trim();
  if (line === '') return false;
  if (ORIGINAL_MESSAGE.test(line)) return true;
  // Reply headers wrap ("On Mon, 5 Jan 2026 at 09:00, Jo Doe <\njo@x.example> wrote:").
  for (let span = 1; span <= 3 && i + span <= lines.length; span++) {
    const joined = lines
      .slice(i, i + span)
      .map((l) => l.trim())
      .join(' ');
    if (REPLY_HEADER.some((re) => re.test(joined))) return true;
  }
  if (SEPARATOR.test(line)) {
    const next = lines.slice(i + 1, i + 4).find((l) => l.trim() !== '');
    return next !== undefined && OUTLOOK_FROM.test(next.trim());
  }
  if (OUTLOOK_FROM.test(line)) {
    const following = lines.slice(i + 1, i + 6).map((l) => l.trim());
    return following.some((l) => OUTLOOK_DATE.test(l)) && following.some((l) => OUTLOOK_TO.test(l));
  }
  return false;
}

function cutSignature(lines: string[]): string[] {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (SIGNATURE_DELIMITER.test(line) && lines.length - i - 1 <= MAX_SIGNATURE_LINES) return lines.slice(0, i);
  }
  // A mobile client's tag line, when it is among the last non-empty lines.
  const nonEmpty = lines.map((l, i) => ({ l: l.trim(), i })).filter((x) => x.l !== '');
  for (const { l, i } of nonEmpty.slice(-2)) {
    if (MOBILE_SIGNATURE.test(l)) return lines.slice(0, i);
  }
  return lines;
}

function trimLines(lines: string[]): string[] {
  let start = 0;
  let end = lines.length;
  while (start < end && (lines[start] as string).trim() === '') start++;
  while (end > start && (lines[end - 1] as string).trim() === '') end--;
  return lines.slice(start, end);
}

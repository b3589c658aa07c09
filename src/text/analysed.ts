/**
 * How much of one customer message the router reads to decide: intents,
 * flow triggers and answers, handoff and after-hours rules, sentiment,
 * personal data, language and contact mentions all look at this prefix. Each
 * of them is linear, but a megabyte still costs about a second of CPU across
 * all of them, during which no other request is served; what decides a reply
 * is in a message's first lines. The stored message keeps every character.
 */
export const ANALYSED_CHARS = 4_000;

/** The first ANALYSED_CHARS characters of `text`, never ending in half a surrogate pair. */
export function analysedText(text: string): string {
  if (text.length <= ANALYSED_CHARS) return text;
  const cut = text.slice(0, ANALYSED_CHARS);
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}

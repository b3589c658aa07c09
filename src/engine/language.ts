/**
 * A small guess at the language of a message from its common words, enough to
 * answer in the customer's language when templates have a variant for it.
 * It only answers when the evidence is clear: two or more telling words and
 * twice as many as any other language.
 */

const WORDS: Record<string, string[]> = {
  en: ['the', 'and', 'is', 'are', 'you', 'your', 'what', 'how', 'do', 'does', 'can', 'my', 'have', 'with', 'for', 'please', 'thanks', 'would', 'when', 'where', 'much', 'this', 'that', 'it', 'of'],
  de: ['der', 'die', 'das', 'und', 'ist', 'sind', 'sie', 'ich', 'wie', 'viel', 'kostet', 'haben', 'mit', 'für', 'bitte', 'danke', 'wann', 'wo', 'nicht', 'ein', 'eine', 'mein', 'meine', 'habt', 'gibt', 'es', 'heute'],
  fr: ['le', 'la', 'les', 'et', 'est', 'sont', 'vous', 'je', 'comment', 'combien', 'coûte', 'avez', 'avec', 'pour', 'merci', 'quand', 'où', 'pas', 'un', 'une', 'mon', 'ma', 'des', 'du', 'bonjour', 'ouvert'],
  es: ['el', 'la', 'los', 'las', 'y', 'es', 'son', 'usted', 'yo', 'cómo', 'cuánto', 'cuesta', 'tienen', 'con', 'para', 'gracias', 'cuándo', 'dónde', 'no', 'un', 'una', 'mi', 'hola', 'abierto', 'qué'],
  it: ['il', 'lo', 'la', 'gli', 'e', 'è', 'sono', 'lei', 'io', 'come', 'quanto', 'costa', 'avete', 'con', 'per', 'grazie', 'quando', 'dove', 'non', 'un', 'una', 'mio', 'ciao', 'aperto', 'che'],
  nl: ['de', 'het', 'een', 'en', 'is', 'zijn', 'jullie', 'ik', 'hoe', 'veel', 'kost', 'hebben', 'met', 'voor', 'bedankt', 'wanneer', 'waar', 'niet', 'mijn', 'open', 'wat'],
  pt: ['o', 'a', 'os', 'as', 'e', 'é', 'são', 'você', 'eu', 'como', 'quanto', 'custa', 'têm', 'com', 'para', 'obrigado', 'quando', 'onde', 'não', 'um', 'uma', 'meu', 'olá', 'aberto'],
};

const SETS = Object.fromEntries(Object.entries(WORDS).map(([lang, words]) => [lang, new Set(words)]));

/** The language of `text` among `candidates` (ISO 639-1 codes), or null when unsure. */
export function detectLanguage(text: string, candidates: readonly string[]): string | null {
  const words = text.toLowerCase().match(/\p{L}+/gu) ?? [];
  if (words.length < 2) return null;
  const scores = candidates
    .filter((lang) => SETS[lang])
    .map((lang) => ({ lang, score: words.filter((w) => SETS[lang]?.has(w)).length }))
    .sort((a, b) => b.score - a.score);
  const [best, second] = scores;
  if (!best || best.score < 2) return null;
  if (second && best.score < second.score * 2) return null;
  return best.lang;
}

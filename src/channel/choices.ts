/** One option of a choice question, as channels render it. */
export interface ChoiceOption {
  /** What the flow stores when it is chosen. */
  value: string;
  /** What the customer sees, and what a button sends back as the answer. */
  label: string;
}

/** A choice question: the text to show with buttons, and the options. */
export interface ChoiceQuestion {
  /** The message's text without the numbered list that channels without buttons show. */
  question: string;
  options: ChoiceOption[];
}

interface ChoicesPart {
  type: 'choices';
  options: ChoiceOption[];
  /** The numbered lines the text ends with (src/flow-language/answers.ts renderChoices). */
  list?: string;
}

const isChoicesPart = (p: unknown): p is ChoicesPart =>
  typeof p === 'object' &&
  p !== null &&
  (p as { type?: unknown }).type === 'choices' &&
  Array.isArray((p as { options?: unknown }).options);

/**
 * The choice question a message asks (an `ask` with choices, a CSAT score),
 * or null. A channel with buttons or quick replies shows `question` with one
 * per option; a click sends the option's label, which the flow takes as the
 * answer just as it takes a typed number or label.
 */
export function choiceQuestionOf(m: { text: string; parts?: unknown[] | undefined }): ChoiceQuestion | null {
  const part = m.parts?.find(isChoicesPart);
  if (!part || part.options.length === 0) return null;
  const suffix = part.list ? `\n\n${part.list}` : null;
  const question = suffix && m.text.endsWith(suffix) ? m.text.slice(0, -suffix.length) : m.text;
  return { question, options: part.options.map((o) => ({ value: String(o.value), label: String(o.label) })) };
}

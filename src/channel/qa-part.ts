/**
 * A QA sample posted to a staff channel carries this part: a channel with
 * buttons (the Slack desk) offers to score the review right there, through the
 * desk's `qa` capability; others show the text alone.
 */
interface QaReviewPart {
  type: 'qa-review';
  reviewId: string;
}

export const qaReviewPart = (reviewId: string): QaReviewPart => ({ type: 'qa-review', reviewId });

/** The QA review a message offers to score, or null. */
export function qaReviewOf(m: { parts?: unknown[] | undefined }): string | null {
  const part = m.parts?.find(
    (p): p is QaReviewPart =>
      typeof p === 'object' &&
      p !== null &&
      (p as { type?: unknown }).type === 'qa-review' &&
      typeof (p as { reviewId?: unknown }).reviewId === 'string',
  );
  return part ? part.reviewId : null;
}

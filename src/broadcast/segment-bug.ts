import { issueRefOf, sameIssueUrl } from '../bugs/issue-ref.ts';
import { badRequest } from '../errors.ts';
import type { Segment } from '../store/broadcast-records.ts';
import type { StoreTx } from '../store/contract.ts';

/**
 * A segment's known issue as the admin named it — the bug's id, or its issue
 * number (`42`, `#42`) or URL in the tracker — resolved once, when the
 * broadcast is made, to the bug's id: the expansion then selects the contacts
 * of the conversations linked to it, and a later change of trackers does not
 * change whom the broadcast is for.
 */
export async function withBugResolved(tx: StoreTx, segment: Segment): Promise<Segment> {
  const ref = segment.bug;
  if (ref === undefined) return segment;
  const byId = await tx.bugs.get(ref);
  if (byId) return segment;
  const wanted = issueRefOf(ref);
  const found = wanted ? await tx.bugs.withKey(wanted.key) : [];
  const matching = wanted?.url ? found.filter((b) => sameIssueUrl(wanted.url as string, b.url)) : found;
  const [bug, ...others] = matching;
  if (!bug) {
    throw badRequest(
      `no known issue "${ref.slice(0, 100)}": segment.bug takes a bug's id, or the number or URL of an issue logged or linked from the desk`,
      'unknown_bug',
    );
  }
  if (others.length > 0) {
    const urls = matching.map((b) => b.url).join(', ');
    throw badRequest(`issue ${wanted?.key} is known in more than one tracker (${urls}): give its URL`, 'unknown_bug');
  }
  return { ...segment, bug: bug.id };
}

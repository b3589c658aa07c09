import { actorOf } from '../access/audit.ts';
import type { Clock } from '../clock.ts';
import { validate } from '../http/json-body.ts';
import type { DeskQa } from '../people/desk-events.ts';
import type { ReviewSettings } from '../settings/operations-schema.ts';
import type { Store } from '../store/contract.ts';
import { rubricOf, scoreBody, scoreReview } from './qa-scores.ts';

/**
 * QA scoring for an agent desk: the scores an agent gives in the desk are
 * checked and stored by the API's own code (scoreReview), audited as the
 * agent acting through the desk's channel.
 */
export function createDeskQa(o: { store: Store; clock: Clock; reviews: () => ReviewSettings; via: string }): DeskQa {
  const rubric = () => rubricOf(o.reviews());
  return {
    rubric,
    review: (id) => o.store.transaction((tx) => tx.getQaReview(id)),
    score(id, input, by) {
      const body = validate(input, scoreBody, 'score');
      return o.store.transaction(async (tx) =>
        scoreReview(tx, id, body, rubric(), await actorOf(tx, by, o.via), o.clock.now()),
      );
    },
  };
}

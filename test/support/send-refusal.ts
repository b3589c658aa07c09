import { expect } from 'vitest';
import { SendError } from '../../src/errors.ts';

/** The SendError `p` rejects with; fails the test if it resolves or rejects with anything else. */
export async function refusal(p: Promise<unknown>): Promise<SendError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SendError);
  return err as SendError;
}

import { describe, expect, it } from 'vitest';
import { cli } from '../cli/helpers.ts';

describe('touchpoint knowledge search', () => {
  it('lists the matches of the shipped knowledge base with scores and whether a customer is offered them', async () => {
    const run = await cli(['knowledge', 'search', 'can', 'you', 'deliver', 'on', 'saturday?', '--json']);
    expect(run.code).toBe(0);
    const body = JSON.parse(run.stdout) as { matches: Array<{ id: string; offered: boolean; score: number }> };
    expect(body.matches[0]).toMatchObject({ id: 'delivery', offered: true });
  });

  it('says what is wrong with the command line', async () => {
    const run = await cli(['knowledge', 'find', 'x']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown subcommand "find"/);
  });
});

import { describe, expect, it } from 'vitest';
import { Composer, type Middleware, run } from '../../src/composer.ts';

type Ctx = { seen: string[]; flag?: boolean };
const step =
  (name: string): Middleware<Ctx> =>
  (ctx, next) => {
    ctx.seen.push(name);
    return next();
  };
const stopper =
  (name: string): Middleware<Ctx> =>
  (ctx) => {
    ctx.seen.push(name);
  };

describe('Composer', () => {
  it('runs steps in the order they were used', async () => {
    const ctx: Ctx = { seen: [] };
    await run([new Composer<Ctx>().use(step('a'), step('b')).use(step('c')).middleware()], ctx);
    expect(ctx.seen).toEqual(['a', 'b', 'c']);
  });

  it('ends the chain at a step that does not call next', async () => {
    const ctx: Ctx = { seen: [] };
    await run([new Composer<Ctx>().use(step('a'), stopper('stop'), step('never')).middleware()], ctx);
    expect(ctx.seen).toEqual(['a', 'stop']);
  });

  it('runs filtered steps only when the predicate holds, and goes on either way', async () => {
    const c = new Composer<Ctx>().filter((ctx) => ctx.flag === true, step('only-flagged')).use(step('after'));
    const flagged: Ctx = { seen: [], flag: true };
    const plain: Ctx = { seen: [] };
    await run([c.middleware()], flagged);
    await run([c.middleware()], plain);
    expect(flagged.seen).toEqual(['only-flagged', 'after']);
    expect(plain.seen).toEqual(['after']);
  });

  it('takes one branch by the predicate', async () => {
    const c = new Composer<Ctx>().branch((ctx) => ctx.flag === true, step('yes'), step('no')).use(step('after'));
    const yes: Ctx = { seen: [], flag: true };
    const no: Ctx = { seen: [] };
    await run([c.middleware()], yes);
    await run([c.middleware()], no);
    expect(yes.seen).toEqual(['yes', 'after']);
    expect(no.seen).toEqual(['no', 'after']);
  });

  it('hands an error inside a boundary to its handler and goes on after it', async () => {
    const errors: string[] = [];
    const boom: Middleware<Ctx> = () => {
      throw new Error('boom');
    };
    const c = new Composer<Ctx>()
      .errorBoundary((err) => void errors.push((err as Error).message), step('inside'), boom, step('skipped'))
      .use(step('after'));
    const ctx: Ctx = { seen: [] };
    await run([c.middleware()], ctx);
    expect(errors).toEqual(['boom']);
    expect(ctx.seen).toEqual(['inside', 'after']);
  });

  it('lets a step inside a boundary end the whole chain', async () => {
    const c = new Composer<Ctx>().errorBoundary(() => {}, stopper('stop')).use(step('after'));
    const ctx: Ctx = { seen: [] };
    await run([c.middleware()], ctx);
    expect(ctx.seen).toEqual(['stop']);
  });

  it('refuses a step that calls next twice', async () => {
    const twice: Middleware<Ctx> = async (_ctx, next) => {
      await next();
      await next();
    };
    await expect(run([twice], { seen: [] })).rejects.toThrow(/twice/);
  });
});

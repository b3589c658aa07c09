/**
 * A small middleware composer in the spirit of grammY's Composer: the order a
 * decision runs in is declared where its steps are put together. A step
 * receives the context and `next`; it goes on by returning (or awaiting) `next()` and ends
 * the chain by returning without it.
 */

export type Next = () => Promise<void>;
/** A step returns `next()` to go on (so the chain waits for the rest), or returns without it to end the chain. */
export type Middleware<C> = (ctx: C, next: Next) => void | Promise<void>;

const done: Promise<void> = Promise.resolve();
const pass: Next = () => done;

/**
 * Runs `steps` in order, each deciding whether the rest run. A step that goes
 * on returns `next()`; a synchronous step costs no extra promise.
 */
export function run<C>(steps: ReadonlyArray<Middleware<C>>, ctx: C, last: Next = pass): Promise<void> {
  const at = (i: number): Promise<void> => {
    const step = steps[i];
    if (!step) return last();
    let called = false;
    const result = step(ctx, () => {
      if (called) throw new Error('next() called twice by one step');
      called = true;
      return at(i + 1);
    });
    return result instanceof Promise ? result : done;
  };
  return at(0);
}

export class Composer<C> {
  readonly #steps: Middleware<C>[] = [];

  /** Adds steps that run in the order given. */
  use(...steps: Middleware<C>[]): this {
    this.#steps.push(...steps);
    return this;
  }

  /** Runs `steps` only when `predicate` holds; otherwise goes straight on. */
  filter(predicate: (ctx: C) => boolean, ...steps: Middleware<C>[]): this {
    return this.use((ctx, next) => (predicate(ctx) ? run(steps, ctx, next) : next()));
  }

  /** Takes `yes` or `no` by `predicate`; both go on to what follows unless they stop. */
  branch(predicate: (ctx: C) => boolean, yes: Middleware<C>, no: Middleware<C>): this {
    return this.use((ctx, next) => (predicate(ctx) ? yes(ctx, next) : no(ctx, next)));
  }

  /**
   * Runs `steps` so that an error thrown inside them goes to `handler`
   * instead of up the chain; the chain then goes on after them.
   */
  errorBoundary(handler: (err: unknown, ctx: C) => void | Promise<void>, ...steps: Middleware<C>[]): this {
    return this.use(async (ctx, next) => {
      let reached = false;
      try {
        await run(steps, ctx, async () => {
          reached = true;
        });
      } catch (err) {
        await handler(err, ctx);
        return next();
      }
      if (reached) await next();
    });
  }

  /** The composed steps as one middleware. */
  middleware(): Middleware<C> {
    const steps = [...this.#steps];
    return (ctx, next) => run(steps, ctx, next);
  }
}

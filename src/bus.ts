import { EventEmitter } from 'node:events';

/**
 * Fans events out to subscribers in this process, after the commit that
 * caused them. Nothing is kept: a subscriber that needs the state reads it
 * from the store, so a missed event only delays it.
 */
export class Bus<T> {
  readonly #emitter = new EventEmitter();
  constructor() {
    this.#emitter.setMaxListeners(0);
  }
  publish(event: T): void {
    this.#emitter.emit('event', event);
  }
  subscribe(fn: (event: T) => void): () => void {
    this.#emitter.on('event', fn);
    return () => this.#emitter.off('event', fn);
  }
}

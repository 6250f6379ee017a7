// The part of on-exit-leak-free (pino's own exit hook, without types of its own) that LineBatches uses.
declare module 'on-exit-leak-free' {
  /** Calls `flush(object, event)` when the process exits, for as long as `object` is alive. */
  export function register<T extends object>(object: T, flush: (object: T, event: 'exit' | 'beforeExit') => void): void;
  export function unregister(object: object): void;
}

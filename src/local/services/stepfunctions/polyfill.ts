/**
 * aws-local-stepfunctions 3.x declares Node >= 22 in `engines` only because it calls
 * `Promise.withResolvers` (Node 22+). On Node 20 this three-line equivalent is all it lacks; remove
 * this file when tap requires Node 22.
 */
const P = Promise as unknown as { withResolvers?: unknown };
if (typeof P.withResolvers !== 'function') {
  P.withResolvers = function withResolvers<T>() {
    let resolve!: (value: T | PromiseLike<T>) => void;
    let reject!: (reason?: unknown) => void;
    const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
    return { promise, resolve, reject };
  };
}
export {};

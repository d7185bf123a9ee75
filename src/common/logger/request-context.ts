import { AsyncLocalStorage } from 'node:async_hooks';

/** The id of the request being handled, for every log line written on its behalf. */
const requestIds = new AsyncLocalStorage<string>();

/** Runs `next` (the rest of the request's handling) with `id` as the current request id. */
export function runWithRequestId(id: string, next: () => void): void {
  requestIds.run(id, next);
}

/** The current request's id; undefined outside a request (start-up, scheduled jobs). */
export function currentRequestId(): string | undefined {
  return requestIds.getStore();
}

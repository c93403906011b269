/**
 * The client went away before its response was complete: a one-shot notice for everything a
 * request has in flight (the upstream call, the relay). An `AbortController` per request would
 * do, but it is an EventTarget, and building one for every request is a measurable share of a
 * proxy's CPU; this is a flag and a short list, with an `AbortSignal` made only for the callers
 * that need one.
 */
export class ClientGone {
  #aborted = false;
  #listeners: (() => void)[] | undefined;
  #controller: AbortController | undefined;

  get aborted(): boolean {
    return this.#aborted;
  }

  /** Calls `listener` once when the client leaves (at once if it has); returns a function that unsubscribes. */
  onAbort(listener: () => void): () => void {
    if (this.#aborted) {
      listener();
      return noop;
    }
    (this.#listeners ??= []).push(listener);
    return () => {
      const listeners = this.#listeners;
      const at = listeners?.indexOf(listener) ?? -1;
      if (at !== -1) listeners!.splice(at, 1);
    };
  }

  abort(): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#controller?.abort();
    const listeners = this.#listeners;
    this.#listeners = undefined;
    if (listeners) for (const listener of listeners) listener();
  }

  /** The same notice as an AbortSignal, for APIs that take one. */
  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort();
    }
    return this.#controller.signal;
  }
}

const noop = (): void => {};

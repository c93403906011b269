import { watch } from 'node:fs';
import { basename, dirname } from 'node:path';

/** Editors save in bursts (truncate + write, or write a temp file and rename): settle first. */
const WATCH_DEBOUNCE_MS = 100;

/**
 * Calls `onChange` (debounced, one call at a time) when the file changes or is replaced; returns
 * a function that stops watching. A call that throws or rejects goes to `onError` and the next
 * change is handled as usual: a rejected chain would skip every later change and, unhandled,
 * end the process.
 */
export function watchFile(path: string, onChange: () => Promise<void>, onError: (error: unknown) => void): () => void {
  // The directory is watched, not the file: editors that save by writing a new file and renaming
  // it over the old one would leave a watch on the file itself pointing at the deleted inode.
  const name = basename(path);
  let timer: NodeJS.Timeout | undefined;
  let chain = Promise.resolve();
  const watcher = watch(dirname(path), (_event, changed) => {
    if (changed !== null && changed !== name) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      chain = chain.then(onChange).catch(onError);
    }, WATCH_DEBOUNCE_MS);
  });
  return () => {
    clearTimeout(timer);
    watcher.close();
  };
}

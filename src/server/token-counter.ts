/**
 * Counting tokens with the model family's own tokenizer, where a well-kept one exists: OpenAI's
 * (js-tiktoken: o200k_base for gpt-4o, gpt-4.1, gpt-5 and the o-series, cl100k_base for gpt-4 and
 * gpt-3.5). Building an encoder parses its rank table — about half a second of CPU for
 * o200k_base — so it happens on a worker thread, once per encoding, and counting runs there too:
 * a `count_tokens` call never holds the event loop that serves every other client.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export interface TokenCount {
  tokens: number;
  /** The tokenizer that counted: `tiktoken/o200k_base`. */
  tokenizer: string;
}

export interface TokenCounter {
  /** The tokens of `texts` for `model`; undefined when no tokenizer is known for its family. */
  count(model: string, texts: readonly string[]): Promise<TokenCount | undefined>;
  close(): Promise<void>;
}

const require = createRequire(import.meta.url);

/** Runs in the worker: one encoder per encoding, built on first use; answers each count by id. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { Tiktoken } = require(workerData.lite);
const encoders = new Map();
parentPort.on('message', ({ id, encoding, texts }) => {
  try {
    let encoder = encoders.get(encoding);
    if (!encoder) {
      encoder = new Tiktoken(require(workerData.ranks[encoding]));
      encoders.set(encoding, encoder);
    }
    let tokens = 0;
    for (const text of texts) tokens += encoder.encode(text).length;
    parentPort.postMessage({ id, tokens });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message || error) });
  }
});
`;

const ENCODINGS = ['o200k_base', 'cl100k_base'] as const;

export function createTokenCounter(): TokenCounter {
  const { getEncodingNameForModel } = require('js-tiktoken/lite') as typeof import('js-tiktoken/lite');
  let worker: Worker | undefined;
  let nextId = 0;
  const pending = new Map<number, { resolve: (tokens: number) => void; reject: (error: Error) => void }>();

  const start = (): Worker => {
    const ranks = Object.fromEntries(ENCODINGS.map((encoding) => [encoding, require.resolve(`js-tiktoken/ranks/${encoding}`)]));
    const started = new Worker(WORKER_SOURCE, { eval: true, workerData: { lite: require.resolve('js-tiktoken/lite'), ranks } });
    started.on('message', ({ id, tokens, error }: { id: number; tokens?: number; error?: string }) => {
      const waiting = pending.get(id);
      pending.delete(id);
      if (error !== undefined || tokens === undefined) waiting?.reject(new Error(error ?? 'no count'));
      else waiting?.resolve(tokens);
    });
    started.on('error', (error) => {
      for (const waiting of pending.values()) waiting.reject(error);
      pending.clear();
      worker = undefined;
    });
    // A counter idle between calls must not keep `plano up` (or a test) alive. After the
    // listeners: adding a 'message' listener refs the worker's port again.
    started.unref();
    return started;
  };

  return {
    async count(model, texts) {
      let encoding: string;
      try {
        encoding = getEncodingNameForModel(model as Parameters<typeof getEncodingNameForModel>[0]);
      } catch {
        return undefined;
      }
      if (!(ENCODINGS as readonly string[]).includes(encoding)) return undefined;
      const id = nextId++;
      const tokens = await new Promise<number>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        (worker ??= start()).postMessage({ id, encoding, texts });
      });
      return { tokens, tokenizer: `tiktoken/${encoding}` };
    },
    async close() {
      await worker?.terminate();
      worker = undefined;
    },
  };
}

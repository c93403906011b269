/** Shared by the translate tests: fixture reading, request cases, and feeding streams in pieces. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createSseDecoder, parseEventJson, type SseMessage } from '../../src/translate/sse.js';
import type { JsonObject, StreamTransducer, TranslateContext } from '../../src/translate/types.js';

export const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'translate');

export function fixtureBytes(path: string): Uint8Array {
  return new Uint8Array(readFileSync(join(FIXTURES, path)));
}

export function fixtureText(path: string): string {
  return readFileSync(join(FIXTURES, path), 'utf8');
}

export function fixtureJson<T = JsonObject>(path: string): T {
  return JSON.parse(fixtureText(path)) as T;
}

/** The names of the fixture files in a folder, ending in `suffix`. */
export function fixtureNames(folder: string, suffix: string): string[] {
  return readdirSync(join(FIXTURES, folder))
    .filter((name) => name.endsWith(suffix))
    .sort();
}

/** Feeds `input` cut at the given offsets (ascending), then ends the stream; returns all output. */
export function runInPieces(transducer: StreamTransducer, input: Uint8Array, cuts: readonly number[] = []): string {
  let out = '';
  let from = 0;
  for (const cut of [...cuts, input.length]) {
    out += transducer.push(input.subarray(from, cut));
    from = cut;
  }
  return out + transducer.end();
}

/** A small seeded PRNG (mulberry32), so "random" splits are the same on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Sorted distinct cut offsets in (0, length). */
export function randomCuts(random: () => number, length: number, count: number): number[] {
  const cuts = new Set<number>();
  for (let i = 0; i < count; i++) cuts.add(1 + Math.floor(random() * Math.max(1, length - 1)));
  return [...cuts].sort((a, b) => a - b);
}

/**
 * Asserts (by returning the outputs that differ) that a transducer gives the same output for
 * `input` whole, split at every single byte offset, and split at many seeded-random offsets.
 */
export function splitMismatches(make: () => StreamTransducer, input: Uint8Array): string[] {
  const whole = runInPieces(make(), input);
  const failures: string[] = [];
  for (let cut = 1; cut < input.length; cut++) {
    if (runInPieces(make(), input, [cut]) !== whole) failures.push(`split at byte ${cut}`);
  }
  const random = seededRandom(input.length);
  for (let round = 0; round < 40; round++) {
    const cuts = randomCuts(random, input.length, 2 + Math.floor(random() * 30));
    if (runInPieces(make(), input, cuts) !== whole) failures.push(`cuts ${cuts.join(',')}`);
  }
  return failures;
}

/** The client SSE a transducer wrote, decoded back into events. */
export function decodeSse(text: string): SseMessage[] {
  const decoder = createSseDecoder();
  return [...decoder.push(new TextEncoder().encode(text)), ...decoder.end()];
}

/** The JSON payloads of decoded events (`[DONE]` kept as the string). */
export function ssePayloads(text: string): (JsonObject | string)[] {
  return decodeSse(text).map((m) => parseEventJson(m.data) ?? m.data);
}

/** A request fixture: a client body, the context, and the upstream body it must become. */
export interface RequestCase {
  description: string;
  context: TranslateContext;
  client: JsonObject;
  upstream: JsonObject;
}

/** The request fixtures in a folder, by file name. */
export function requestCases(folder: string): [string, RequestCase][] {
  return fixtureNames(folder, '.json').map((name) => [name, fixtureJson<RequestCase>(`${folder}/${name}`)]);
}

/** The TranslationError `translate` throws (or undefined), for asserting its `param`. */
export function translationErrorOf(translate: () => unknown): { name: string; param?: string; message: string } | undefined {
  try {
    translate();
  } catch (error) {
    return error as { name: string; param?: string; message: string };
  }
  return undefined;
}

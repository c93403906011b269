/** How a serving `plano up` process sizes its V8 heap. */
import { PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';

/**
 * V8's heap sizing suits interactive programs; a gateway's heap is mostly requests that lived
 * through a couple of young-generation collections and then died. With the defaults, 256
 * concurrent streams took the process to ~185 MB RSS: the old generation may grow to up to 4×
 * what survived the last full collection before the next, and the young generation's semi-spaces
 * double up to 16 MB each. Growing the old generation by half at most, and stopping the
 * semi-spaces at 8 MB, holds it at 120–140 MB (bench/gateway.mjs, issue 6, under the 150 MB
 * target). Stopping them at 4 MB would save another ~20 MB for ~25% more CPU per request at 256
 * non-streamed connections; the figure of ~105 MB once measured for 8 MB was a young generation
 * stuck small (below). The price is collection work — more frequent scavenges and full
 * collections, some of it on V8's helper threads, inside the throughput targets.
 *
 * With `--workers N` each process allocates for 1/N of the traffic, so it gets 1/N of that young
 * generation (at least 2 MB a semi-space) and collects as often as one process alone would:
 * ~10 MB less for two workers at 256 streams.
 *
 * V8 reads both flags when it resizes the heap after a collection, so setting them in the running
 * process — before it serves anything — takes effect from the next one. There is no runtime flag
 * for the semi-space limit: growth is switched off while a collection finds them that large, and
 * on again while it finds them smaller. Both ways, for good: when the gateway idles, V8's memory
 * reducer shrinks the young generation, and with growth left off it stayed small under the next
 * load — 256 connections then cost ~35% more CPU per request in scavenges (229 against 170 µs,
 * measured before and after 15 s of idleness).
 */
export function tuneHeapForServing(workers: number): void {
  v8.setFlagsFromString('--heap-growing-percent=50');
  const semiSpaceMb = Math.max(MIN_SEMI_SPACE_MB, SEMI_SPACE_LIMIT_MB / workers);
  const growthFlagFor = youngGenerationHold(2 * semiSpaceMb * 1024 * 1024);
  const afterCollection = (): void => {
    const young = v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
    const flag = young && growthFlagFor(young.space_size);
    if (flag) v8.setFlagsFromString(flag);
  };
  // Not unobserved: the process ends with its server, and a gc observer holds no event-loop handle.
  new PerformanceObserver(afterCollection).observe({ entryTypes: ['gc'] });
}

/**
 * The semi-space growth factor for a young generation of `youngBytes` after a collection: V8's
 * own while it is under `limitBytes`, 1 once it is there. Gives the flag to set when that changes,
 * undefined when it does not (setting a flag parses it).
 */
export function youngGenerationHold(limitBytes: number): (youngBytes: number) => string | undefined {
  let growing = true;
  return (youngBytes) => {
    const belowLimit = youngBytes < limitBytes;
    if (belowLimit === growing) return undefined;
    growing = belowLimit;
    return `--semi-space-growth-factor=${growing ? V8_SEMI_SPACE_GROWTH_FACTOR : 1}`;
  };
}

const SEMI_SPACE_LIMIT_MB = 8;
const MIN_SEMI_SPACE_MB = 2;
/** V8's own `--semi-space-growth-factor`. */
const V8_SEMI_SPACE_GROWTH_FACTOR = 2;

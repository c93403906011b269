/** How a serving `plano up` process sizes its V8 heap. */
import { PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';

/**
 * V8's heap sizing suits interactive programs; a gateway's heap is mostly requests that lived
 * through a couple of young-generation collections and then died. With the defaults, 256
 * concurrent streams took the process to ~185 MB RSS: the old generation may grow to up to 4×
 * what survived the last full collection before the next, and the young generation's semi-spaces
 * double up to 16 MB each. Growing the old generation by half at most, and stopping the
 * semi-spaces at 8 MB, holds it near 105 MB (bench/gateway.mjs, issue 6; doubling instead: 135
 * MB). The price is collection work — more frequent scavenges and full collections, some of it on
 * V8's helper threads: up to ~15% of CPU on non-streamed traffic on a busy 2-core machine, inside
 * the throughput targets.
 *
 * With `--workers N` each process allocates for 1/N of the traffic, so it gets 1/N of that young
 * generation (at least 2 MB a semi-space) and collects as often as one process alone would:
 * ~10 MB less for two workers at 256 streams.
 *
 * V8 reads both flags when it resizes the heap after a collection, so setting them in the running
 * process — before it serves anything — takes effect from the next one. There is no runtime flag
 * for the semi-space limit: growth is switched off once a collection finds them that large.
 */
export function tuneHeapForServing(workers: number): void {
  v8.setFlagsFromString('--heap-growing-percent=50');
  const semiSpaceMb = Math.max(MIN_SEMI_SPACE_MB, SEMI_SPACE_LIMIT_MB / workers);
  const youngLimit = 2 * semiSpaceMb * 1024 * 1024;
  const stopYoungGrowthAtLimit = (): void => {
    const young = v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
    if (young === undefined || young.space_size < youngLimit) return;
    v8.setFlagsFromString('--semi-space-growth-factor=1');
    collections.disconnect();
  };
  const collections = new PerformanceObserver(stopYoungGrowthAtLimit);
  collections.observe({ entryTypes: ['gc'] });
}

const SEMI_SPACE_LIMIT_MB = 8;
const MIN_SEMI_SPACE_MB = 2;

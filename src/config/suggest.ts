/**
 * "Did you mean" for misspelled keys, enum values, provider prefixes and model names: the
 * candidates closest by edit distance (adjacent swaps count once), best first.
 */

/** Optimal string alignment distance: Levenshtein plus transposition of neighbours (`acess` ↔ `access` is 1). */
export function editDistance(a: string, b: string): number {
  return editDistanceWithin(a, b, Math.max(a.length, b.length));
}

/**
 * editDistance when it is at most `limit`, else `limit + 1`. Only the diagonal band of width
 * `limit` is computed (a cell further from the diagonal is already over), and the answer is known
 * to be over once a whole row is: O(length × limit), not O(length²) — did-you-mean runs on
 * whatever a client sent as `model`, and a 20 KB name must not hold the event loop for seconds.
 */
export function editDistanceWithin(a: string, b: string, limit: number): number {
  const over = limit + 1;
  if (Math.abs(a.length - b.length) > limit) return over;
  // Three rolling rows (the transposition looks two back), allocated once. Row i holds valid
  // cells inside its band only; the cell on each side of the band is set to `over`, which is
  // all the next row reads outside its own band.
  let prevPrev = new Uint32Array(b.length + 1);
  let prev = new Uint32Array(b.length + 1);
  let row = new Uint32Array(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j <= limit ? j : over;
  for (let i = 1; i <= a.length; i++) {
    const from = Math.max(1, i - limit);
    const to = Math.min(b.length, i + limit);
    row[0] = i <= limit ? i : over;
    if (from > 1) row[from - 1] = over;
    if (to < b.length) row[to + 1] = over;
    let rowBest = row[0]!;
    for (let j = from; j <= to; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, prevPrev[j - 2]! + 1);
      row[j] = Math.min(best, over);
      if (row[j]! < rowBest) rowBest = row[j]!;
    }
    if (rowBest > limit) return over;
    [prevPrev, prev, row] = [prev, row, prevPrev];
  }
  return Math.min(prev[b.length]!, over);
}

/**
 * Candidates within a distance that grows with the word (a third of its length, at least 1, at
 * most 4), case-insensitively; a candidate that contains the input or is contained in it also
 * counts (`gpt4o` → `openai/gpt-4o` does not, `gpt-4o` → `openai/gpt-4o` does).
 */
export function closestMatches(input: string, candidates: Iterable<string>, max = 3): string[] {
  const needle = input.toLowerCase();
  const limit = Math.min(4, Math.max(1, Math.floor(needle.length / 3)));
  const scored: { candidate: string; score: number }[] = [];
  for (const candidate of new Set(candidates)) {
    const hay = candidate.toLowerCase();
    if (hay === needle) continue;
    // `gpt-4o` for `openai/gpt-4o` is the same model named short: closer than any typo.
    if (hay.endsWith('/' + needle)) {
      scored.push({ candidate, score: 0.5 });
      continue;
    }
    const distance = editDistanceWithin(needle, hay, limit);
    if (distance <= limit) scored.push({ candidate, score: distance });
    else if (needle.length >= 3 && (hay.endsWith('/' + needle) || hay.includes(needle) || needle.includes(hay)) && hay.length >= 3) {
      scored.push({ candidate, score: limit + 1 + Math.abs(hay.length - needle.length) / 100 });
    }
  }
  return scored
    .sort((x, y) => x.score - y.score || x.candidate.localeCompare(y.candidate))
    .slice(0, max)
    .map((s) => s.candidate);
}

/** `did you mean "x"?` / `did you mean "x" or "y"?`, or undefined when nothing is close. */
export function didYouMean(input: string, candidates: Iterable<string>): string | undefined {
  const matches = closestMatches(input, candidates, 2);
  if (matches.length === 0) return undefined;
  return `did you mean ${matches.map((m) => `"${m}"`).join(' or ')}?`;
}

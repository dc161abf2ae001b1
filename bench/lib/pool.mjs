// Bounded concurrency: a benchmark client that fires thousands of requests at once measures its own queueing,
// not the server.

/** Calls `fn(item, index)` for every item with at most `concurrency` calls in flight; resolves to the results in order. */
export async function mapWithConcurrency(items, concurrency, fn) {
  const results = new Array(items.length);
  let next = 0;
  async function worker() {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index], index);
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

/**
 * Runs `fn(workerIndex)` in `concurrency` loops until `durationMs` has passed. Calls in flight at the deadline still
 * finish and count, so the rate is taken over the real elapsed time, not over `durationMs`.
 */
export async function loopFor(durationMs, concurrency, fn) {
  const started = nowMs();
  const deadline = Date.now() + durationMs;
  let completed = 0;
  async function worker(workerIndex) {
    while (Date.now() < deadline) {
      await fn(workerIndex);
      completed++;
    }
  }
  await Promise.all(Array.from({ length: concurrency }, (_, index) => worker(index)));
  return { completed, elapsedMs: nowMs() - started };
}

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across the benchmark's processes. */
export const nowMs = () => performance.timeOrigin + performance.now();

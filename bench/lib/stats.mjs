// Summaries of repeated measurements. Medians, not means: one run disturbed by a neighbour on a shared machine
// must not move the figure that is reported.

export function percentile(values, p) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  // Nearest rank: a reported p95 is a latency that some request really had.
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export const median = (values) => percentile(values, 50);

/** Ratio of two figures, or null when either is missing (a failed repetition must not print as a number). */
export function ratio(value, baseline) {
  if (value == null || baseline == null || baseline === 0) return null;
  return value / baseline;
}

export function round(value, digits = 1) {
  if (value == null) return null;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

import { SIGN_IN_OUTCOMES, type AdminSignInStats, type SignInOutcome } from '@app/contract';
import { svg } from '../dom';

/** Bottom to top in each bar, and in the legend. Colours are CSS classes (`.bar-confirmed`, ...) in admin.css. */
export const OUTCOME_LABELS: Record<SignInOutcome, string> = {
  confirmed: 'confirmed',
  rejected: 'rejected',
  expired: 'expired',
  cancelled: 'cancelled',
};

const HEIGHT = 180;
const MARGIN = { top: 8, right: 6, bottom: 22, left: 30 };

/** 1, 2, 5, 10, 20, 50, ...: the smallest such step that draws the scale in at most four steps. */
function niceStep(max: number): number {
  for (let power = 1; ; power *= 10) {
    for (const step of [1, 2, 5]) if (step * power * 4 >= max) return step * power;
  }
}

function total(hour: Record<SignInOutcome, number>): number {
  return SIGN_IN_OUTCOMES.reduce((sum, outcome) => sum + hour[outcome], 0);
}

const hourFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
/** Axis labels are short ("6 AM", "18"): four of them fit a phone's width. */
const axisHourFormat = new Intl.DateTimeFormat(undefined, { hour: 'numeric' });
const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric' });
const longFormat = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });

/** What one bar says when pointed at (and to screen readers, through its <title>). */
function describeHour(start: Date, hour: Record<SignInOutcome, number>): string {
  const counts = SIGN_IN_OUTCOMES.map((outcome) => `${hour[outcome]} ${OUTCOME_LABELS[outcome]}`).join(', ');
  return `${longFormat.format(start)}–${hourFormat.format(new Date(start.getTime() + 3_600_000))}: ${counts}`;
}

/**
 * Draws sessions that ended per hour as stacked bars, one per hour, sized to `width` CSS pixels so that text stays
 * legible at any width (the caller draws again when the width changes). Hand-written SVG: no library, no outside
 * asset, no inline style.
 */
export function drawSignInsChart(stats: AdminSignInStats, width: number): SVGSVGElement {
  const plotWidth = Math.max(10, width - MARGIN.left - MARGIN.right);
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const hours = stats.hours;
  const slot = plotWidth / hours.length;
  const barWidth = Math.max(1, slot * (slot > 6 ? 0.72 : 0.85));
  const step = niceStep(Math.max(...hours.map(total), 1));
  const top = step * Math.max(1, Math.ceil(Math.max(...hours.map(total), 1) / step));
  const y = (value: number) => MARGIN.top + plotHeight - (value / top) * plotHeight;

  const summary = SIGN_IN_OUTCOMES.map((outcome) => `${stats.totals[outcome]} ${OUTCOME_LABELS[outcome]}`).join(', ');
  const chart = svg('svg', {
    width,
    height: HEIGHT,
    viewBox: `0 0 ${width} ${HEIGHT}`,
    role: 'img',
    'aria-label': `Sessions that ended per hour over the last ${stats.range === '24h' ? '24 hours' : '7 days'}: ${summary}.`,
    class: 'chart',
  });

  for (let value = 0; value <= top; value += step) {
    chart.append(
      svg('line', { class: 'grid', x1: MARGIN.left, x2: width - MARGIN.right, y1: y(value), y2: y(value) }),
      svg('text', { class: 'axis', x: MARGIN.left - 4, y: y(value) + 3, 'text-anchor': 'end' }, String(value)),
    );
  }

  hours.forEach((hour, index) => {
    const start = new Date(hour.start);
    const x = MARGIN.left + index * slot;
    const group = svg('g', { class: 'hour', 'data-start': hour.start }, svg('title', {}, describeHour(start, hour)));
    // The whole column answers the pointer, not only the (maybe empty) bar.
    group.append(svg('rect', { class: 'hit', x, y: MARGIN.top, width: slot, height: plotHeight }));
    let base = 0;
    for (const outcome of SIGN_IN_OUTCOMES) {
      if (hour[outcome] === 0) continue;
      const height = y(base) - y(base + hour[outcome]);
      group.append(svg('rect', { class: `bar bar-${outcome}`, x: x + (slot - barWidth) / 2, y: y(base + hour[outcome]), width: barWidth, height }));
      base += hour[outcome];
    }
    chart.append(group);

    // Labels: every 6 hours of the viewer's clock over a day, every midnight over a week (every other one when narrow).
    const everyOtherDay = slot * 24 < 48;
    const label =
      stats.range === '24h'
        ? start.getHours() % 6 === 0 && axisHourFormat.format(start)
        : start.getHours() === 0 && (!everyOtherDay || start.getDate() % 2 === 0) && dayFormat.format(start);
    if (label) {
      const anchor = x < MARGIN.left + 20 ? 'start' : x > width - MARGIN.right - 20 ? 'end' : 'middle';
      chart.append(
        svg('line', { class: 'tick', x1: x, x2: x, y1: MARGIN.top + plotHeight, y2: MARGIN.top + plotHeight + 4 }),
        svg('text', { class: 'axis', x, y: HEIGHT - 6, 'text-anchor': anchor }, label),
      );
    }
  });
  chart.append(svg('line', { class: 'baseline', x1: MARGIN.left, x2: width - MARGIN.right, y1: y(0), y2: y(0) }));
  return chart;
}

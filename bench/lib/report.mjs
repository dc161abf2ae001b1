// Turns the rounds into one row per scenario. Every figure is the median over rounds, and every scenario gets a
// "cost × baseline": how many health checks (GET /api/health, measured in the same round) it is worth. For throughput
// that is health req/s (mean of the round's first and last baseline run) ÷ its req/s; for latency, its latency ÷ the
// health round trip at the same concurrency, taken just before it. Absolute numbers move with the machine's
// neighbours; these ratios move much less.
import { median, ratio, round } from './stats.mjs';

const mib = (kib) => (kib == null ? null : round(kib / 1024, 0));
const lowest = (values) => (values.length ? Math.min(...values) : '–');
const highest = (values) => (values.length ? Math.max(...values) : '–');
const ms = (value) => (value == null ? '–' : `${round(value, value < 10 ? 1 : 0)}`);

/** The per-round values of `pick(round)`, skipping rounds where the scenario failed. */
function across(rounds, pick) {
  return rounds
    .map((roundResult) => {
      try {
        return pick(roundResult);
      } catch {
        return null;
      }
    })
    .filter((value) => value != null && !Number.isNaN(value));
}

function errorsOf(rounds, key) {
  return rounds
    .map((roundResult) => roundResult[key]?.error)
    .filter(Boolean)
    .map((error) => `failed once: ${error}`);
}

/** The round's health req/s: the mean of its measurements at the start and at the end of the HTTP scenarios. */
function baselineRps(r) {
  const values = [r.http.baseline?.rps, r.baselineEnd?.rps].filter((value) => value != null);
  return values.length ? values.reduce((sum, value) => sum + value, 0) / values.length : null;
}

function httpRow(rounds, scenario) {
  // The baseline's own row takes both of its measurements of every round.
  const runsOf = (r) => (scenario.name === 'baseline' ? [r.http.baseline, r.baselineEnd] : [r.http[scenario.name]]);
  const all = (pick) => rounds.flatMap((r) => runsOf(r).filter(Boolean).map(pick)).filter((value) => value != null);
  const failures = all((run) => run.failures).reduce((sum, n) => sum + n, 0);
  const cost = (r) => ratio(baselineRps(r), r.http[scenario.name].rps);
  return {
    scenario: scenario.name,
    what: scenario.label,
    unit: 'req/s',
    median: median(all((run) => run.rps)),
    cost: scenario.name === 'baseline' ? 1 : median(across(rounds, cost)),
    latency: `${ms(median(all((run) => run.latencyP50)))} / ${ms(median(all((run) => run.latencyP99)))} (p99)`,
    notes: [failures ? `${failures} non-2xx or errors` : 'all 2xx', ...all((run) => run.error).map((error) => `failed once: ${error}`)].join('; '),
  };
}

/** `p50 / tail` of a latency scenario, each the median over rounds. */
const latencyCell = (med, tail) => `${ms(med((r) => r.latencyP50))} / ${ms(med((r) => r[tail]))} (${tail.slice(-3).toLowerCase()})`;

function longPollRow(rounds, settings) {
  const med = (pick) => median(across(rounds, (r) => pick(r.longPoll)));
  const rss = (key) => mib(med((run) => run.rssKib[key]));
  const perHeld = med((run) => (run.rssKib.held - run.rssKib.before) / run.holders);
  const troubled = highest(across(rounds, (r) => r.longPoll.answeredEarly + r.longPoll.errors)) > 0;
  return {
    scenario: 'long-poll',
    what: `${settings.holders} held long-polls, each scanned: scan → answer`,
    unit: 'ms p50',
    median: med((run) => run.latencyP50),
    cost: med((run) => ratio(run.latencyP50, run.healthHeld.p50)),
    latency: latencyCell(med, 'latencyP95'),
    notes: [
      `answered ${lowest(across(rounds, (r) => r.longPoll.answered))}/${settings.holders}`,
      ...(troubled ? ['some long-polls answered early or failed: see the JSON'] : []),
      `the scan's own response p50 ${ms(med((run) => run.scanP50))} ms`,
      `RSS ${rss('before')} → ${rss('held')} MiB held (${round(perHeld, 0)} KiB each) → ${rss('after')} MiB after`,
      `DB connections while held: ${highest(across(rounds, (r) => r.longPoll.connectionsHeld.active))} active` +
        ` of ${highest(across(rounds, (r) => r.longPoll.connectionsHeld.total))}`,
      `health p50 while held ${round(
        med((run) => ratio(run.healthHeld.p50, run.healthIdle.p50)),
        2,
      )}× idle`,
      ...errorsOf(rounds, 'longPoll'),
    ].join('; '),
  };
}

function socketRow(rounds, settings) {
  const med = (pick) => median(across(rounds, (r) => pick(r.socket)));
  return {
    scenario: 'socket',
    what: `${settings.sockets} Socket.IO desktops, each scanned: scan → \`scanned\``,
    unit: 'ms p50',
    median: med((run) => run.latencyP50),
    cost: med((run) => ratio(run.latencyP50, run.health.p50)),
    latency: latencyCell(med, 'latencyP95'),
    notes: [
      `received ${lowest(across(rounds, (r) => r.socket.received))}/${settings.sockets}`,
      `the scan's own response p50 ${ms(med((run) => run.scanP50))} ms`,
      `connect failures ${highest(across(rounds, (r) => r.socket.connectFailures))}`,
      `RSS +${round(
        med((run) => (run.rssKib.connected - run.rssKib.before) / run.connected),
        0,
      )} KiB per socket`,
      ...errorsOf(rounds, 'socket'),
    ].join('; '),
  };
}

function flowRow(rounds, settings) {
  const med = (pick) => median(across(rounds, (r) => pick(r.flow)));
  const failures = across(rounds, (r) => r.flow.failures).reduce((sum, n) => sum + n, 0);
  const steps = ['create', 'scan', 'confirm', 'read'].map((step) => `${step} ${ms(med((run) => run.stepP50[step]))}`);
  return {
    scenario: 'full-flow',
    what: `create → scan → confirm → read token, ${settings.flowConcurrency} at a time`,
    unit: 'flows/s',
    median: med((run) => run.flowsPerSecond),
    cost: med((run) => ratio(run.latencyP50, run.health.p50)),
    latency: latencyCell(med, 'latencyP95'),
    notes: [
      `steps p50: ${steps.join(', ')} ms`,
      failures ? `${failures} failed flows (${across(rounds, (r) => r.flow.firstError)[0]})` : 'no failed flow',
      ...errorsOf(rounds, 'flow'),
    ].join('; '),
  };
}

function pushRow(rounds, settings, key, transport) {
  const med = (pick) => median(across(rounds, (r) => pick(r[key])));
  const failures = across(rounds, (r) => r[key].failures).reduce((sum, n) => sum + n, 0);
  return {
    scenario: `push-${transport}`,
    what: `sign-ins watched over ${transport === 'socket' ? 'Socket.IO' : 'long-poll'} at half the max rate: confirm answered → token`,
    unit: 'ms p99',
    median: med((run) => run.answeredToTokenP99),
    cost: null,
    latency: `${ms(med((run) => run.answeredToTokenP50))} / ${ms(med((run) => run.answeredToTokenP99))} (p99)`,
    notes: [
      `max ${round(
        med((run) => run.maxRate),
        1,
      )} flows/s at ${settings.pushConcurrency} at a time, measured at ${round(
        med((run) => run.achievedRate),
        1,
      )}/s`,
      `confirm sent → token p50 ${ms(med((run) => run.sentToTokenP50))} / p99 ${ms(med((run) => run.sentToTokenP99))} ms`,
      `confirm's own response p50 ${ms(med((run) => run.confirmP50))} ms`,
      failures ? `${failures} failed (${across(rounds, (r) => r[key].firstError)[0]})` : 'no failed sign-in',
      ...errorsOf(rounds, key),
    ].join('; '),
  };
}

/** The idle-capacity scenario, run once per benchmark (not per round): the service beside a bare Socket.IO server. */
export function idleRows(idle) {
  if (!idle || idle.error)
    return [{ scenario: 'idle-sockets', what: 'idle sockets', unit: '', median: null, cost: null, latency: '–', notes: idle?.error ?? 'not run' }];
  const row = (name, run, what) => ({
    scenario: name,
    what,
    unit: 'KiB/socket',
    median: run.perSocketKib,
    cost: name === 'idle-bare' ? 1 : ratio(run.perSocketKib, idle.bare.perSocketKib),
    latency: `lag ${ms(run.lag.p50Ms)} / ${ms(run.lag.p99Ms)} (p99)`,
    notes: [
      `${run.connected}/${idle.count} connected`,
      `RSS ${mib(run.rssKib.before)} → ${mib(run.rssKib.held)} MiB`,
      `V8 heap in use +${round(run.heapPerSocketKib, 1)} KiB per socket`,
      `event-loop delay max ${ms(run.lag.maxMs)} ms (10 ms timer resolution included)`,
      ...(run.healthWhileHeld ? [`health p50 while held ${ms(run.healthWhileHeld.p50)} ms`] : []),
      ...(run.errors?.length ? [`errors: ${run.errors.join(', ')}`] : []),
    ].join('; '),
  });
  return [
    row('idle-service', idle.service, `${idle.count} idle Socket.IO desktops in one service process`),
    row('idle-bare', idle.bare, `as many on a bare Socket.IO server (cost = service ÷ bare per socket)`),
  ];
}

export function summarise(rounds, settings, httpScenarioList) {
  return [
    ...httpScenarioList.map((scenario) => httpRow(rounds, scenario)),
    longPollRow(rounds, settings),
    socketRow(rounds, settings),
    flowRow(rounds, settings),
    pushRow(rounds, settings, 'pushSocket', 'socket'),
    pushRow(rounds, settings, 'pushLongPoll', 'long-poll'),
  ];
}

/** A Markdown table, so that what the terminal shows can go into the README as it is. */
export function formatTable(rows) {
  const header = ['scenario', 'what it measures', 'median', 'cost × baseline', 'latency ms p50 / tail', 'notes'];
  const lines = rows.map((row) => [
    row.scenario,
    row.what,
    row.median == null ? 'failed' : `${round(row.median, row.median < 100 ? 1 : 0)} ${row.unit}`,
    row.cost == null ? '–' : `${round(row.cost, 2).toFixed(2)}`,
    row.latency,
    row.notes,
  ]);
  return [header, header.map(() => '---'), ...lines].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

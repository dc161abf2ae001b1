// Scenario: the push rides with the reply. Complete sign-ins with a desktop that watches its session, over Socket.IO
// or long-poll: create → the desktop watches (socket connected and `status` received, or a long-poll held) → scan →
// the desktop hears `scanned` → confirm → the desktop has its token. First the maximum rate: `concurrency` such
// sign-ins loop back to back for `seconds`. Then, at half that rate (sign-ins started on a fixed schedule, whatever
// the previous ones are doing), each sign-in times:
//   confirm-sent → token      the phone sends its confirm, the desktop holds its token
//   confirm-answered → token  the phone has its reply, the desktop holds its token (0 when the token came first)
import { io } from 'socket.io-client';
import { loopFor, nowMs } from '../lib/pool.mjs';
import { percentile } from '../lib/stats.mjs';

const TIMEOUT_MS = 15_000;
// A person takes seconds between seeing "scanned" and tapping Confirm; this much lets a long-poll desktop ask again
// (its next request held) before the confirm, as it would have in life.
const THINK_MS = 20;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function withTimeout(promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer in time`)), TIMEOUT_MS)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A desktop on Socket.IO: resolves once connected with its `status`; `next(event)` resolves at that event's arrival. */
async function socketDesktop(baseUrl, session) {
  const socket = io(`${baseUrl}/qr`, {
    auth: { qrId: session.id, secret: session.secret },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    timeout: TIMEOUT_MS,
  });
  const arrivals = new Map();
  const waiters = new Map();
  for (const event of ['status', 'scanned', 'confirmed']) {
    socket.on(event, (snapshot) => {
      const at = nowMs();
      arrivals.set(event, { at, snapshot });
      waiters.get(event)?.({ at, snapshot });
    });
  }
  const next = (event) => (arrivals.has(event) ? Promise.resolve(arrivals.get(event)) : new Promise((resolve) => waiters.set(event, resolve)));
  await withTimeout(
    new Promise((resolve, reject) => {
      next('status').then(resolve);
      socket.once('connect_error', reject);
    }),
    'socket status',
  );
  return { next: (event) => withTimeout(next(event), event), close: () => socket.close() };
}

/** A desktop on long-poll: each `next(event)` is one held request (`since` the previous status). */
async function longPollDesktop(api, session) {
  const controller = new AbortController();
  let since = 'pending';
  const poll = () => {
    const asked = api.snapshot(session, { since, wait: 30, signal: controller.signal }).then((snapshot) => ({ at: nowMs(), snapshot }));
    return asked;
  };
  let pending = poll();
  return {
    async next(event) {
      const answer = await withTimeout(pending, event);
      if (answer.snapshot.status !== event) throw new Error(`long-poll answered ${answer.snapshot.status}, not ${event}`);
      since = event;
      if (event !== 'confirmed') pending = poll();
      return answer;
    },
    close: () => controller.abort(),
  };
}

async function signIn({ api, baseUrl, phone, transport }) {
  const session = await api.createSession('none');
  const desktop = transport === 'socket' ? await socketDesktop(baseUrl, session) : await longPollDesktop(api, session);
  try {
    const { scanTicket } = await api.scan(phone, session.id);
    await desktop.next('scanned');
    await sleep(THINK_MS);
    const token = desktop.next('confirmed');
    const sent = nowMs();
    await api.confirm(phone, session.id, scanTicket);
    const answered = nowMs();
    const { at, snapshot } = await token;
    if (!snapshot.login?.accessToken) throw new Error('confirmed without a token');
    return { sentToToken: at - sent, answeredToToken: Math.max(0, at - answered), confirmMs: answered - sent };
  } finally {
    desktop.close();
  }
}

/** Sign-ins started every `1000 / rate` ms for `seconds`; each one's timings. */
async function atRate(context, rate, seconds) {
  const interval = 1000 / rate;
  const started = nowMs();
  const runs = [];
  for (let i = 0; nowMs() - started < seconds * 1000; i++) {
    const due = started + i * interval;
    const wait = due - nowMs();
    if (wait > 0) await sleep(wait);
    runs.push(
      signIn(context).then(
        (timing) => ({ ok: true, ...timing }),
        (error) => ({ ok: false, error: error.message }),
      ),
    );
  }
  const results = await Promise.all(runs);
  return { results, elapsedMs: nowMs() - started };
}

export async function pushLatency({ api, baseUrl, phones, transport, seconds }) {
  // The maximum: as many sign-ins back to back as there are phones.
  let failures = 0;
  const { completed, elapsedMs } = await loopFor(seconds * 1000, phones.length, async (worker) => {
    try {
      await signIn({ api, baseUrl, phone: phones[worker], transport });
    } catch {
      failures++;
    }
  });
  const maxRate = ((completed - failures) * 1000) / elapsedMs;
  const rate = maxRate / 2;
  let next = 0;
  const context = {
    api,
    baseUrl,
    transport,
    get phone() {
      return phones[next++ % phones.length];
    },
  };
  const { results, elapsedMs: halfElapsed } = await atRate(context, rate, seconds);
  const ok = results.filter((result) => result.ok);
  const values = (key) => ok.map((result) => result[key]);
  return {
    transport,
    concurrency: phones.length,
    maxRate,
    maxRateFailures: failures,
    rate,
    achievedRate: (ok.length * 1000) / halfElapsed,
    flows: ok.length,
    failures: results.length - ok.length,
    firstError: results.find((result) => !result.ok)?.error,
    sentToTokenP50: percentile(values('sentToToken'), 50),
    sentToTokenP99: percentile(values('sentToToken'), 99),
    answeredToTokenP50: percentile(values('answeredToToken'), 50),
    answeredToTokenP99: percentile(values('answeredToToken'), 99),
    confirmP50: percentile(values('confirmMs'), 50),
  };
}

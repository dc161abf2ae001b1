/**
 * The admin page at `/admin` (contract §5): sessions live, a session's timeline, an account's devices, and at a glance
 * the sign-ins per hour, the connected desktops, the waiting long-polls and the median push delay. On the SDK's HTTP
 * client; live updates over Socket.IO (namespace /admin). The token lives in sessionStorage (gone with the tab); the
 * device id in localStorage (stable per browser). Its state is in the DOM as `main[data-state]`: signed-out, signed-in.
 */
import { io, type Socket } from 'socket.io-client';
import {
  ADMIN_NAMESPACE,
  SIGN_IN_OUTCOMES,
  type AdminAccount,
  type AdminDevice,
  type AdminQrSession,
  type AdminServerToClientEvents,
  type AdminSocketAuth,
  type AdminSignInStats,
  type SignInStatsRange,
} from '@app/contract';
import { QrClientError } from '@app/sdk';
import { AdminApiClient, type SessionFilters } from './admin/admin-api.client';
import { drawSignInsChart } from './admin/sign-ins.chart';
import { byId, el } from './dom';

const TOKEN_KEY = 'qr-admin-token';
const NAME_KEY = 'qr-admin-name';
const DEVICE_KEY = 'qr-admin-device-id';
/** How often the gauges are read again while the page is open. */
const GAUGES_EVERY_MS = 3000;
/** The chart is drawn again this often even without events: the hours move on. */
const CHART_EVERY_MS = 60_000;
const PAGE_SIZE = 25;

const main = byId('admin');
const api = new AdminApiClient(location.origin, deviceId(), () => void signOut('Your admin session ended; sign in again.', false));
const state: {
  filters: SessionFilters;
  nextCursor: string | null;
  socket: Socket<AdminServerToClientEvents> | null;
  openSession: string | null;
  range: SignInStatsRange;
  stats: AdminSignInStats | null;
  timers: number[];
} = { filters: {}, nextCursor: null, socket: null, openSession: null, range: '24h', stats: null, timers: [] };

function deviceId(): string {
  let id = localStorage.getItem(DEVICE_KEY);
  if (!id) {
    id = `admin-web-${crypto.getRandomValues(new Uint32Array(2)).join('')}`;
    localStorage.setItem(DEVICE_KEY, id);
  }
  return id;
}

function notice(text: string): void {
  byId('notice').textContent = text;
}

const time = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : '—');

/** A detail that may be long (a user agent): one line with an ellipsis, the whole text on hover. */
function oneLine(text: string | null | undefined, className = 'muted one-line'): HTMLElement {
  return el('div', { class: className, title: text ?? undefined }, text ?? '');
}

/** Every click handler's failure ends up in the notice region, read out by screen readers. */
function guard(promise: Promise<unknown>): void {
  promise.catch((error: unknown) => {
    const code = error instanceof QrClientError ? ` (${error.code})` : '';
    notice(`That did not work: ${(error as Error).message}${code}`);
  });
}

// ---- sign in / out ---------------------------------------------------------------------------------------------
byId<HTMLFormElement>('sign-in-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = new FormData(event.target as HTMLFormElement);
  guard(
    (async () => {
      try {
        const login = await api.login(String(form.get('username')), String(form.get('password')));
        api.token = login.accessToken;
        sessionStorage.setItem(TOKEN_KEY, login.accessToken);
        sessionStorage.setItem(NAME_KEY, login.account.displayName);
      } catch (error) {
        notice(
          error instanceof QrClientError && error.code === 'invalid_credentials'
            ? 'Wrong username or password.'
            : `Sign-in failed: ${(error as Error).message}`,
        );
        return;
      }
      await start();
    })(),
  );
});

byId('sign-out').addEventListener('click', () => void signOut('Signed out.', true));

/**
 * Back to the sign-in form. `revoke` logs the token out on the service first, so that it answers token_revoked from
 * then on: after "Sign out", and when the account turns out not to be an admin (a live 30-day token of a non-admin
 * must not stay behind in a page that only forgets it).
 */
async function signOut(message: string, revoke: boolean): Promise<void> {
  state.timers.forEach((timer) => window.clearInterval(timer));
  state.timers = [];
  state.socket?.close();
  state.socket = null;
  if (revoke) await api.logout();
  api.token = null;
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(NAME_KEY);
  for (const id of ['glance', 'side', 'sessions', 'timeline', 'devices', 'sign-out', 'whoami']) byId(id).hidden = true;
  byId('sign-in').hidden = false;
  main.dataset.state = 'signed-out';
  notice(message);
}

async function start(): Promise<void> {
  try {
    await loadSessions(true);
  } catch (error) {
    if (error instanceof QrClientError && error.code === 'forbidden') return signOut('This account is not an admin; it was signed out again.', true);
    throw error;
  }
  byId('sign-in').hidden = true;
  for (const id of ['glance', 'side', 'sessions', 'sign-out', 'whoami']) byId(id).hidden = false;
  byId('whoami').textContent = `Signed in as ${sessionStorage.getItem(NAME_KEY) ?? 'admin'}`;
  main.dataset.state = 'signed-in';
  notice('');
  connectLive();
  guard(refreshChart());
  guard(refreshGauges());
  state.timers.push(
    window.setInterval(() => void refreshGauges().catch(() => undefined), GAUGES_EVERY_MS),
    window.setInterval(() => void refreshChart().catch(() => undefined), CHART_EVERY_MS),
  );
}

// ---- at a glance ------------------------------------------------------------------------------------------------
function seconds(value: number | null): string {
  if (value === null) return '—';
  const ms = value * 1000;
  return ms < 10 ? `${ms.toFixed(1)} ms` : ms < 1000 ? `${Math.round(ms)} ms` : `${value.toFixed(2)} s`;
}

async function refreshGauges(): Promise<void> {
  const live = await api.liveStats();
  byId('gauge-desktops').textContent = String(live.connectedDesktops);
  byId('gauge-long-polls').textContent = String(live.waitingLongPolls);
  const delay = byId('gauge-push-delay');
  delay.textContent = seconds(live.pushDelay.medianSeconds);
  delay.title = live.pushDelay.count ? `median of the last ${live.pushDelay.count} deliveries` : 'nothing pushed yet';
  byId('glance').dataset.liveAt = live.at;
  byId('glance').dataset.processes = String(live.processes);
  const note = byId('gauge-note');
  note.textContent = live.processes > 1 ? `Summed over ${live.processes} server processes.` : '';
  note.hidden = live.processes <= 1;
}

async function refreshChart(): Promise<void> {
  const range = state.range;
  const stats = await api.signInStats(range);
  if (range !== state.range) return; // the range changed while this was on its way
  state.stats = stats;
  drawChart();
  const figure = byId('chart');
  figure.dataset.range = stats.range;
  for (const outcome of SIGN_IN_OUTCOMES) {
    byId(`total-${outcome}`).textContent = String(stats.totals[outcome]);
    figure.dataset[outcome] = String(stats.totals[outcome]);
  }
}

function drawChart(): void {
  const canvas = byId('chart-canvas');
  if (!state.stats || canvas.clientWidth === 0) return;
  canvas.replaceChildren(drawSignInsChart(state.stats, canvas.clientWidth));
}

// Drawn to the pixel width it has, so that its text stays legible: again whenever that width changes.
let drawnWidth = 0;
new ResizeObserver(() => {
  const width = byId('chart-canvas').clientWidth;
  if (width !== drawnWidth) {
    drawnWidth = width;
    drawChart();
  }
}).observe(byId('chart-canvas'));

for (const button of document.querySelectorAll<HTMLButtonElement>('.range button')) {
  button.addEventListener('click', () => {
    state.range = button.dataset.range as SignInStatsRange;
    for (const other of document.querySelectorAll<HTMLButtonElement>('.range button')) other.setAttribute('aria-pressed', String(other === button));
    guard(refreshChart());
  });
}

// ---- session list -----------------------------------------------------------------------------------------------
byId<HTMLFormElement>('filters').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = new FormData(event.target as HTMLFormElement);
  const text = (name: string) => String(form.get(name) ?? '').trim() || undefined;
  const toIso = (value: string | undefined) => (value ? new Date(value).toISOString() : undefined);
  state.filters = {
    status: text('status') as SessionFilters['status'],
    accountId: text('accountId'),
    from: toIso(text('from')),
    to: toIso(text('to')),
  };
  loadSessions(true).catch((error: Error) => notice(`Could not load sessions: ${error.message}`));
});

byId('more').addEventListener('click', () => loadSessions(false).catch((error: Error) => notice(error.message)));

async function loadSessions(fromTop: boolean, limit = PAGE_SIZE): Promise<void> {
  const page = await api.listSessions(state.filters, limit, fromTop ? null : state.nextCursor);
  const rows = byId('session-rows');
  const known = new Set([...rows.querySelectorAll('tr')].map((row) => row.dataset.id));
  if (fromTop) rows.replaceChildren();
  for (const session of page.items) rows.append(sessionRow(session, fromTop && known.size > 0 && !known.has(session.id)));
  state.nextCursor = page.nextCursor ?? null;
  byId('more').hidden = !state.nextCursor;
  if (page.items.length === 0 && fromTop) rows.append(el('tr', {}, el('td', { colspan: '6', class: 'muted' }, 'No sessions match.')));
}

function sessionRow(session: AdminQrSession, fresh: boolean): HTMLTableRowElement {
  const account = session.account
    ? el(
        'button',
        { type: 'button', class: 'link', onclick: () => guard(showDevices(session.account!)) },
        session.account.displayName,
        ' ',
        el('span', { class: 'muted' }, `@${session.account.username}`),
      )
    : el('span', { class: 'muted' }, '—');
  const row = el(
    'tr',
    { 'data-id': session.id, 'data-status': session.status, class: fresh ? 'fresh' : undefined },
    el('td', { 'data-label': 'Created' }, time(session.createdAt)),
    el('td', { 'data-label': 'Status', class: `status status-${session.status}` }, session.status),
    el('td', { 'data-label': 'Account' }, account),
    el('td', { 'data-label': 'Phone' }, session.phone ? `${session.phone.type} · ${session.phone.name ?? session.phone.deviceId}` : '—'),
    el('td', { 'data-label': 'Desktop' }, `${session.desktop.type} · ${session.desktop.ip ?? '?'}`, oneLine(session.desktop.userAgent)),
    el(
      'td',
      {},
      el(
        'button',
        { type: 'button', class: 'link', onclick: () => guard(showTimeline(session.id)), 'aria-label': `Timeline of session ${session.id}` },
        'Timeline',
      ),
    ),
  );
  return row;
}

// ---- accounts ---------------------------------------------------------------------------------------------------
byId<HTMLFormElement>('account-search').addEventListener('submit', (event) => {
  event.preventDefault();
  const query = String(new FormData(event.target as HTMLFormElement).get('query') ?? '').trim();
  findAccounts(query).catch((error: Error) => notice(`Could not search accounts: ${error.message}`));
});

async function findAccounts(query: string): Promise<void> {
  const { items } = await api.findAccounts(query);
  const list = byId('account-list');
  list.replaceChildren(
    ...items.map((account) =>
      el(
        'li',
        { 'data-account-id': account.id },
        el('strong', {}, account.displayName),
        ' ',
        el('span', { class: 'muted' }, `@${account.username}`),
        ' ',
        el('button', { type: 'button', class: 'link', onclick: () => guard(showDevices(account)) }, 'Devices'),
        ' ',
        el('button', { type: 'button', class: 'link', onclick: () => guard(filterByAccount(account)) }, 'Sessions'),
      ),
    ),
  );
  if (items.length === 0) list.append(el('li', { class: 'muted' }, 'No account matches.'));
  list.hidden = false;
}

async function filterByAccount(account: AdminAccount): Promise<void> {
  (byId<HTMLFormElement>('filters').elements.namedItem('accountId') as HTMLInputElement).value = account.id;
  state.filters = { ...state.filters, accountId: account.id };
  await loadSessions(true);
}

// ---- timeline ---------------------------------------------------------------------------------------------------
async function showTimeline(id: string, focus = true): Promise<void> {
  const session = await api.session(id);
  state.openSession = id;
  byId('timeline').hidden = false;
  byId('timeline-title').textContent = `Timeline of ${session.id}`;
  byId('timeline-summary').replaceChildren(
    el('dt', {}, 'Status'),
    el('dd', { class: `status status-${session.status}` }, session.status),
    el('dt', {}, 'Desktop'),
    el('dd', {}, `${session.desktop.type} ${session.desktop.name ?? ''} (${session.desktop.deviceId})`),
    el('dt', {}, 'Expires'),
    el('dd', {}, time(session.expiresAt)),
  );
  byId('timeline-events').replaceChildren(
    ...session.events.map((event) =>
      el(
        'li',
        { 'data-type': event.type },
        el('strong', {}, event.type),
        ' ',
        time(event.at),
        oneLine([event.ip, event.userAgent, event.deviceId && `device ${event.deviceId}`].filter(Boolean).join(' · ')),
      ),
    ),
  );
  if (focus) byId('timeline-title').focus();
}

// ---- devices ----------------------------------------------------------------------------------------------------
async function showDevices(account: { id: string; displayName: string }): Promise<void> {
  const { items } = await api.devices(account.id);
  byId('devices').hidden = false;
  byId('devices-title').textContent = `Devices of ${account.displayName}`;
  byId('devices-title').focus();
  byId('device-list').replaceChildren(...items.map((device) => deviceItem(account, device)));
}

function deviceItem(account: { id: string; displayName: string }, device: AdminDevice): HTMLLIElement {
  const active = device.tokens.filter((token) => token.state === 'active').length;
  return el(
    'li',
    { 'data-device-id': device.id },
    el('strong', {}, `${device.type} · ${device.name ?? device.id}`),
    el('div', { class: 'muted' }, `last seen ${time(device.lastSeenAt)} · ${active} active token(s) of ${device.tokens.length}`),
    active > 0
      ? el(
          'button',
          { type: 'button', class: 'danger', onclick: () => guard(revoke(account, device)), 'aria-label': `Revoke ${device.name ?? device.id}` },
          'Revoke',
        )
      : el('span', { class: 'muted' }, device.signedOutAt ? `signed out ${time(device.signedOutAt)}` : 'no active token'),
  );
}

async function revoke(account: { id: string; displayName: string }, device: AdminDevice): Promise<void> {
  if (!window.confirm(`Sign ${device.name ?? device.id} of ${account.displayName} out? Its tokens stop working at once.`)) return;
  const result = await api.revokeDevice(account.id, device.id);
  notice(`Revoked ${result.revokedTokens} token(s) of ${device.name ?? device.id}.`);
  await showDevices(account);
}

// ---- live updates -----------------------------------------------------------------------------------------------
function connectLive(): void {
  state.socket?.close();
  state.socket = null;
  if (!api.token) return;
  const auth: AdminSocketAuth = { accessToken: api.token, deviceId: api.deviceId };
  const socket: Socket<AdminServerToClientEvents> = io(ADMIN_NAMESPACE, { auth });
  state.socket = socket;
  const live = byId('live');
  socket.on('connect', () => {
    live.classList.add('on');
    byId('live-text').textContent = 'live updates on';
  });
  socket.on('disconnect', () => {
    live.classList.remove('on');
    byId('live-text').textContent = 'live updates off';
  });
  let rows: number | undefined;
  let chart: number | undefined;
  socket.on('qr_session', (change) => {
    // Bursts coalesce into one reload of as many rows as are on screen, so that pages loaded with "Load more" stay.
    window.clearTimeout(rows);
    const shown = byId('session-rows').querySelectorAll('tr[data-id]').length;
    rows = window.setTimeout(() => void loadSessions(true, Math.min(200, Math.max(PAGE_SIZE, shown))).catch(() => undefined), 250);
    if (change.id === state.openSession) void showTimeline(change.id, false).catch(() => undefined);
    // A session that ended is a new count in the chart.
    if ((SIGN_IN_OUTCOMES as readonly string[]).includes(change.type)) {
      window.clearTimeout(chart);
      chart = window.setTimeout(() => void refreshChart().catch(() => undefined), 500);
    }
  });
}

const saved = sessionStorage.getItem(TOKEN_KEY);
if (saved) {
  api.token = saved;
  // A token the service no longer takes has already signed the page out (with its own notice); anything else says why.
  start().catch((error: Error) => {
    if (api.token) void signOut(`Could not open the admin page: ${error.message}`, false);
  });
}

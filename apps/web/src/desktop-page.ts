/**
 * The desktop page at `/`: shows a QR code that a signed-in phone scans, keeps it fresh, follows the session over
 * Socket.IO (or long-poll, forced with `?transport=longpoll`) through the SDK, and signs the desktop in.
 * Every state is visible in the DOM as `main[data-state]`: loading, qr, scanned, signed-in, ended, error.
 */
import {
  HttpClient,
  QrClientError,
  QrDesktopClient,
  isRetryableError,
  type CreatedQrSession,
  type FreshQrSession,
  type LoginResult,
  type QrTransportMode,
} from '@app/sdk';

type PageState = 'loading' | 'qr' | 'scanned' | 'signed-in' | 'ended' | 'error';

const DEVICE_KEY = 'qr-login.device-id';
const LOGIN_KEY = 'qr-login.login';
/** Answers of GET /api/me that mean the saved login is no good any more: start over with a fresh QR. */
const SIGNED_OUT_CODES: readonly string[] = ['unauthorized', 'token_revoked', 'device_mismatch'];
/** After a failure that may pass (the service restarting, a rate limit), the page starts over by itself this much later. */
const AUTO_RESTART_MS = 10_000;

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const main = byId<HTMLElement>('desktop');
const title = byId<HTMLHeadingElement>('title');
const status = byId<HTMLParagraphElement>('status');
const panels: Record<string, HTMLElement> = {
  loading: byId('loading-panel'),
  qr: byId('qr-panel'),
  scanned: byId('scanned-panel'),
  'signed-in': byId('signed-in-panel'),
  ended: byId('ended-panel'),
};

const http = new HttpClient({ baseUrl: location.origin });
const desktop = new QrDesktopClient({ baseUrl: location.origin });
const transport = transportFromQuery();
let fresh: FreshQrSession | undefined;
let countdown: number | undefined;
let autoRestart: number | undefined;
/** Set when a change of state hid the element that had the focus: the next state shown moves it to the headline. */
let focusLost = false;

/** A stable id for this browser, kept across visits (the token is bound to it). */
function deviceId(): string {
  let id = localStorage.getItem(DEVICE_KEY);
  if (!id) {
    const random = crypto.getRandomValues(new Uint8Array(12));
    id = `web-${Array.from(random, (byte) => byte.toString(16).padStart(2, '0')).join('')}`;
    localStorage.setItem(DEVICE_KEY, id);
  }
  return id;
}

function transportFromQuery(): QrTransportMode {
  const wanted = new URLSearchParams(location.search).get('transport');
  return wanted === 'longpoll' || wanted === 'websocket' ? wanted : 'auto';
}

function browserName(): string {
  const agent = navigator.userAgent;
  const name = /Edg\//.test(agent)
    ? 'Edge'
    : /Firefox\//.test(agent)
      ? 'Firefox'
      : /Chrome\//.test(agent)
        ? 'Chrome'
        : /Safari\//.test(agent)
          ? 'Safari'
          : 'Browser';
  const system = /Windows/.test(agent) ? 'Windows' : /Mac OS X/.test(agent) ? 'macOS' : /Linux/.test(agent) ? 'Linux' : '';
  return `${name}${system ? ` on ${system}` : ''}`.slice(0, 100);
}

interface StateText {
  /** The headline, shown once in <h1> and as the tab's title. */
  headline: string;
  /** What screen readers hear: the headline and what matters in the panel, in one sentence or two. */
  announce: string;
}

/**
 * Shows one state: its headline (the page's <h1> and the tab's title) and its panel. The hidden status region says the
 * same to screen readers on every change (nothing marks it busy, which would mute it). When the change hides the
 * element that had the focus (the clicked "Sign out" or "Show a new code" button), the focus moves to the headline.
 */
function show(state: PageState, text: StateText, options: { focus?: boolean } = {}): void {
  const visible = state === 'error' ? 'ended' : state;
  const active = document.activeElement;
  for (const [name, panel] of Object.entries(panels)) {
    if (name !== visible && !panel.hidden && active instanceof Node && panel.contains(active)) focusLost = true;
  }
  main.dataset.state = state;
  title.textContent = text.headline;
  document.title = `${text.headline} · QR login`;
  status.textContent = text.announce;
  for (const [name, panel] of Object.entries(panels)) panel.hidden = name !== visible;
  if (focusLost || options.focus) {
    focusLost = false;
    title.focus();
  }
}

const SIGN_IN_HEADLINE = 'Sign in with your phone';

function showSession(session: CreatedQrSession): void {
  const image = byId<HTMLImageElement>('qr-image');
  image.src = session.qrImage ?? `/api/qr-sessions/${encodeURIComponent(session.id)}/qr.svg`;
  image.dataset.sessionId = session.id;
  image.dataset.qrContent = session.qrContent;
  main.dataset.sessionId = session.id;
  show('qr', { headline: SIGN_IN_HEADLINE, announce: 'A new sign-in code is shown. Scan it with the app on your phone.' });
  startCountdown(Date.parse(session.expiresAt));
}

function startCountdown(expiresAt: number): void {
  window.clearInterval(countdown);
  const element = byId<HTMLSpanElement>('countdown');
  const tick = () => {
    const seconds = Math.max(0, Math.ceil((expiresAt - Date.now()) / 1000));
    element.textContent = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
  };
  tick();
  countdown = window.setInterval(tick, 1000);
}

/** What ends a session without signing in, said to a person. */
const ENDINGS: Record<string, [headline: string, detail: string]> = {
  rejected: ['Sign-in rejected', 'Reject was tapped on the phone, so this browser is not signed in.'],
  cancelled: ['Sign-in cancelled', 'This code was withdrawn before anyone confirmed it. This browser is not signed in.'],
  expired: ['Code expired', 'No phone confirmed the code in time. This browser is not signed in.'],
  confirmed: ['Sign-in not picked up', 'The phone confirmed, but this page came back too late to finish signing in.'],
};

/** Shows a fresh QR and follows it until the phone confirms (renewing it each time it expires). */
function waitForPhone(): void {
  fresh?.stop();
  window.clearTimeout(autoRestart);
  autoRestart = undefined;
  delete main.dataset.autoRestart;
  delete main.dataset.me;
  show('loading', { headline: SIGN_IN_HEADLINE, announce: 'Preparing a sign-in code…' });
  fresh = desktop.keepFresh({
    device: { id: deviceId(), type: 'web', name: browserName() },
    image: 'svg',
    transport,
    onSession: (session) => showSession(session),
    // Which way updates arrive is for tests and support, not for the person in front of the page.
    onTransport: (used) => (main.dataset.transport = used),
    onEvent: (event) => {
      if (event.snapshot.status !== 'scanned') return;
      window.clearInterval(countdown);
      // The username beside the display name: display names are free text and can imitate someone else's.
      const name = event.snapshot.scannedBy?.displayName ?? 'a phone';
      const username = event.snapshot.scannedBy?.username;
      byId('scanned-by').textContent = name;
      byId('scanned-username').textContent = username ? `@${username}` : '';
      show('scanned', {
        headline: 'Confirm on your phone',
        announce: `Scanned by ${name}${username ? ` (@${username})` : ''}. Confirm on your phone to sign in here.`,
      });
    },
  });
  void fresh.done.then((outcome) => {
    window.clearInterval(countdown);
    if (outcome.reason === 'stopped') return;
    if (outcome.reason === 'failed') return showError(outcome.error);
    const { snapshot } = outcome;
    if (snapshot.status === 'confirmed' && snapshot.login) return void signIn(snapshot.login);
    const [headline, detail] = ENDINGS[snapshot.status] ?? ['Sign-in ended', 'This browser is not signed in.'];
    byId('ended-detail').textContent = detail;
    byId('ended-code').hidden = true;
    show('ended', { headline, announce: `${headline}. ${detail}` });
  });
}

/**
 * Proves the token works by asking the service who we are, with this browser's device id. A token the service no
 * longer accepts (revoked, expired, another device's: a login saved before a reload, say) is forgotten, and a fresh
 * QR takes its place.
 */
async function signIn(login: LoginResult, saved = false): Promise<void> {
  sessionStorage.setItem(LOGIN_KEY, JSON.stringify(login));
  const headline = `Signed in as ${login.account.displayName}`;
  byId('signed-in-username').textContent = `@${login.account.username}`;
  byId('me-result').textContent = '';
  const signedIn = () => show('signed-in', { headline, announce: `${headline} (@${login.account.username}).` }, { focus: true });
  // A login just received from the phone is shown at once; one saved before a reload only once the service agrees.
  if (saved) show('loading', { headline: SIGN_IN_HEADLINE, announce: 'Checking the saved sign-in…' });
  else signedIn();
  try {
    const me = await http.request<{ account: { displayName: string; username: string }; device: { id: string } }>('GET', '/api/me', {
      headers: { Authorization: `Bearer ${login.accessToken}`, 'X-Device-Id': login.device.id },
    });
    if (saved) signedIn();
    main.dataset.me = 'ok';
    const id = document.createElement('code');
    id.id = 'device-id';
    id.textContent = me.device.id;
    byId('me-result').replaceChildren('The service knows this browser as ', id, '.');
  } catch (error) {
    if (error instanceof QrClientError && SIGNED_OUT_CODES.includes(error.code)) {
      sessionStorage.removeItem(LOGIN_KEY);
      return waitForPhone();
    }
    if (saved) signedIn();
    main.dataset.me = 'failed';
    byId('me-result').textContent = `The service could not confirm this sign-in just now (${(error as QrClientError).code ?? 'error'}).`;
  }
}

async function signOut(): Promise<void> {
  const saved = sessionStorage.getItem(LOGIN_KEY);
  sessionStorage.removeItem(LOGIN_KEY);
  delete main.dataset.me;
  if (saved) {
    const login = JSON.parse(saved) as LoginResult;
    await http
      .request('POST', '/api/auth/logout', { headers: { Authorization: `Bearer ${login.accessToken}`, 'X-Device-Id': login.device.id } })
      .catch(() => undefined);
  }
  waitForPhone();
}

/** A failure said to a person; the code stays visible, small, for whoever helps them. */
function describeError(error: QrClientError): string {
  switch (error.code) {
    case 'network_error':
      return 'This browser could not reach the sign-in service.';
    case 'service_unavailable':
      return 'The sign-in service is unavailable for the moment.';
    case 'rate_limited':
      return 'Too many sign-in attempts came from this network.';
    default:
      return 'The sign-in service could not make a code.';
  }
}

/** A failure that may pass (no answer, 5xx, 429) starts over by itself after a pause; "Show a new code" does it at once. */
function showError(error: QrClientError): void {
  const retryable = isRetryableError(error);
  const delay = Math.max(AUTO_RESTART_MS, (error.retryAfterSeconds ?? 0) * 1000);
  const seconds = Math.round(delay / 1000);
  const detail = `${describeError(error)}${retryable ? ` A new code comes by itself in ${seconds} seconds.` : ''}`;
  byId('ended-detail').textContent = detail;
  const code = byId('ended-code');
  code.textContent = `Error code: ${error.code}`;
  code.hidden = false;
  show('error', { headline: 'Something went wrong', announce: `Something went wrong (${error.code}). ${detail}` });
  if (retryable) {
    main.dataset.autoRestart = String(delay);
    autoRestart = window.setTimeout(() => waitForPhone(), delay);
  }
}

byId('sign-out').addEventListener('click', () => void signOut());
byId('restart').addEventListener('click', () => waitForPhone());

const saved = savedLogin();
if (saved) void signIn(saved, true);
else waitForPhone();

/** The login kept in this tab's session storage, if it is readable. */
function savedLogin(): LoginResult | undefined {
  const text = sessionStorage.getItem(LOGIN_KEY);
  if (!text) return undefined;
  try {
    const login = JSON.parse(text) as LoginResult;
    if (typeof login?.accessToken === 'string' && typeof login.device?.id === 'string' && typeof login.account?.displayName === 'string')
      return login;
  } catch {
    // fall through: a damaged entry is forgotten
  }
  sessionStorage.removeItem(LOGIN_KEY);
  return undefined;
}

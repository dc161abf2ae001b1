/**
 * The desktop page at `/`: shows a QR code that a signed-in phone scans, keeps it fresh, follows the session over
 * Socket.IO (or long-poll, forced with `?transport=longpoll`) through the SDK, and signs the desktop in.
 * Every state is visible in the DOM as `main[data-state]`: loading, qr, scanned, signed-in, ended, error.
 */
import {
  HttpClient,
  QrClientError,
  QrDesktopClient,
  type CreatedQrSession,
  type FreshQrSession,
  type LoginResult,
  type QrTransportMode,
} from '@app/sdk';

type PageState = 'loading' | 'qr' | 'scanned' | 'signed-in' | 'ended' | 'error';

const DEVICE_KEY = 'qr-login.device-id';
const LOGIN_KEY = 'qr-login.login';

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const main = byId<HTMLElement>('desktop');
const status = byId<HTMLParagraphElement>('status');
const panels: Record<string, HTMLElement> = {
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
  const name = /Edg\//.test(agent) ? 'Edge' : /Firefox\//.test(agent) ? 'Firefox' : /Chrome\//.test(agent) ? 'Chrome' : /Safari\//.test(agent) ? 'Safari' : 'Browser';
  const system = /Windows/.test(agent) ? 'Windows' : /Mac OS X/.test(agent) ? 'macOS' : /Linux/.test(agent) ? 'Linux' : '';
  return `${name}${system ? ` on ${system}` : ''}`.slice(0, 100);
}

function show(state: PageState, message: string): void {
  main.dataset.state = state;
  main.setAttribute('aria-busy', String(state === 'loading'));
  status.textContent = message;
  for (const [name, panel] of Object.entries(panels)) panel.hidden = name !== state;
}

function showSession(session: CreatedQrSession): void {
  const image = byId<HTMLImageElement>('qr-image');
  image.src = session.qrImage ?? `/api/qr-sessions/${encodeURIComponent(session.id)}/qr.svg`;
  image.dataset.sessionId = session.id;
  image.dataset.qrContent = session.qrContent;
  byId<HTMLAnchorElement>('qr-link').href = session.qrContent;
  main.dataset.sessionId = session.id;
  show('qr', 'Scan the code with the app on your phone.');
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

/** Shows a fresh QR and follows it until the phone confirms (renewing it each time it expires). */
function waitForPhone(): void {
  fresh?.stop();
  show('loading', 'Preparing a sign-in code…');
  fresh = desktop.keepFresh({
    device: { id: deviceId(), type: 'web', name: browserName() },
    image: 'svg',
    transport,
    onSession: (session) => showSession(session),
    onTransport: (used) => {
      main.dataset.transport = used;
      byId('transport').textContent = used === 'websocket' ? 'WebSocket' : 'long-poll';
    },
    onEvent: (event) => {
      if (event.snapshot.status === 'scanned') {
        window.clearInterval(countdown);
        byId('scanned-by').textContent = event.snapshot.scannedBy?.displayName ?? 'your phone';
        show('scanned', `Scanned by ${event.snapshot.scannedBy?.displayName ?? 'your phone'}. Confirm on your phone.`);
      }
    },
  });
  void fresh.done.then((outcome) => {
    window.clearInterval(countdown);
    if (outcome.reason === 'stopped') return;
    if (outcome.reason === 'failed') return showError(outcome.error);
    const { snapshot } = outcome;
    if (snapshot.status === 'confirmed' && snapshot.login) return void signIn(snapshot.login);
    const ended: Record<string, [string, string]> = {
      rejected: ['Sign-in rejected', 'The phone said no. If that was not you, nothing happened.'],
      cancelled: ['Sign-in cancelled', 'This code was withdrawn.'],
      expired: ['Code expired', 'The code ran out.'],
      confirmed: ['Signed in elsewhere', 'The sign-in finished, but its token is no longer available here.'],
    };
    const [title, detail] = ended[snapshot.status] ?? ['Sign-in ended', ''];
    byId('ended-title').textContent = title;
    byId('ended-detail').textContent = detail;
    show('ended', `${title}. ${detail}`);
  });
}

/** Proves the token works by asking the service who we are, with this browser's device id. */
async function signIn(login: LoginResult): Promise<void> {
  sessionStorage.setItem(LOGIN_KEY, JSON.stringify(login));
  byId('signed-in-as').textContent = login.account.displayName;
  show('signed-in', `Signed in as ${login.account.displayName}.`);
  try {
    const me = await http.request<{ account: { displayName: string; username: string }; device: { id: string } }>('GET', '/api/me', {
      headers: { Authorization: `Bearer ${login.accessToken}`, 'X-Device-Id': login.device.id },
    });
    main.dataset.me = 'ok';
    byId('me-result').textContent = `The service knows this browser as ${me.device.id}, signed in to @${me.account.username}.`;
    byId<HTMLButtonElement>('sign-out').focus();
  } catch (error) {
    main.dataset.me = 'failed';
    byId('me-result').textContent = `Checking the sign-in failed: ${(error as Error).message}`;
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

function showError(error: QrClientError): void {
  byId('ended-title').textContent = 'Something went wrong';
  byId('ended-detail').textContent = `${error.code}: ${error.message}`;
  show('error', `Something went wrong (${error.code}).`);
  panels.ended.hidden = false;
}

byId('sign-out').addEventListener('click', () => void signOut());
byId('restart').addEventListener('click', () => waitForPhone());

const saved = sessionStorage.getItem(LOGIN_KEY);
if (saved) void signIn(JSON.parse(saved) as LoginResult);
else waitForPhone();

import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { QrClientError, QrMobileClient, normaliseBaseUrl, qrIdFromContent, type FetchLike, type MobileDeviceType, type ScanResult } from '@app/sdk';
import { CliError } from './cli.error';
import type { CliOptions } from './mobile-cli.arguments';
import { MobileStateStore, type MobileState } from './mobile-state.store';
import { formatScan } from './requester.format';
import { escapeTerminalText as safe } from './terminal-text';

export const DEFAULT_SERVER = 'http://localhost:3000';
export const SERVER_ENV = 'QR_SERVER_URL';
const USER_AGENT = `qr-login-mobile-cli/0.1 (Node.js ${process.versions.node}; ${process.platform})`;

/** Answers after which a scan ticket can never be used again: forget it. */
const TICKET_SPENT: readonly string[] = ['scan_ticket_invalid', 'qr_already_completed', 'qr_expired', 'qr_not_found'];

export interface CliContext {
  env: Record<string, string | undefined>;
  print(line: string): void;
  readPassword(): Promise<string>;
  now(): number;
  /** Tests may route requests elsewhere; the global fetch otherwise. */
  fetch?: FetchLike;
}

/** The commands of the mobile command line, over the SDK's phone client and the state file. */
export class MobileCliCommands {
  private state: MobileState;

  constructor(
    private readonly store: MobileStateStore,
    private readonly options: CliOptions,
    private readonly context: CliContext,
  ) {
    this.state = store.load();
  }

  async login(username: string, password: string | undefined): Promise<void> {
    const secret = password ?? (await this.context.readPassword());
    if (!secret) throw new CliError('usage', 'a password is needed', 2);
    const type: MobileDeviceType = this.options.deviceType ?? this.state.device?.type ?? 'android';
    const device = {
      // Stable per install: made once, kept through logouts and type changes.
      id: this.state.device?.id ?? `mobile-cli-${randomUUID()}`,
      type,
      name: this.options.deviceName ?? this.state.device?.name ?? `mobile-cli on ${hostname()}`.slice(0, 100),
    };
    const server = this.server();
    // No token on the way: the login may be to another service than the one the saved token belongs to.
    const client = this.client(server, false);
    // Kept before the request: the device id must not change if this login fails and is retried.
    this.state.device = device;
    this.store.save(this.state);
    const login = await client.login(username, secret, device);
    this.state = {
      ...this.state,
      server,
      login: {
        accessToken: login.accessToken,
        expiresAt: login.expiresAt,
        username: login.account.username,
        displayName: login.account.displayName,
      },
      // Tickets belong to the account and device that scanned: another sign-in makes them useless.
      pendingScans: {},
      lastScannedId: undefined,
    };
    this.store.save(this.state);
    this.context.print(`Signed in to ${server} as ${safe(login.account.displayName)} (${safe(login.account.username)})`);
    this.context.print(`  device:  ${device.type} "${safe(device.name)}" (${device.id})`);
    this.context.print(`  token valid until ${login.expiresAt}`);
  }

  async scan(qr: string): Promise<void> {
    this.keepScan(await this.signedInClient().scan(qr));
  }

  /** The code a CLI or TV shows (OAuth device grant): found like a scanned QR, then confirmed or rejected the same way. */
  async code(userCode: string): Promise<void> {
    this.keepScan(await this.signedInClient().scanCode(userCode));
  }

  private keepScan(result: ScanResult): void {
    // Deleted first so that a scan again moves the session to the end: the newest tickets are the ones kept.
    delete this.state.pendingScans[result.id];
    this.state.pendingScans[result.id] = { scanTicket: result.scanTicket, ticketExpiresAt: result.ticketExpiresAt };
    this.state.lastScannedId = result.id;
    this.store.save(this.state);
    this.context.print(formatScan(result, this.context.now()));
  }

  async decide(decision: 'confirm' | 'reject', qr: string | undefined): Promise<void> {
    const client = this.signedInClient();
    const id = qr === undefined ? this.state.lastScannedId : qrIdFromContent(qr);
    if (id === undefined) throw new CliError('no_pending_scan', 'nothing scanned yet: scan a QR code first (npm run mobile -- scan <qr>)');
    const pending = this.state.pendingScans[id];
    if (!pending) throw new CliError('no_pending_scan', `no scan ticket for session ${id}: scan its QR code first`);
    try {
      if (decision === 'confirm') await client.confirm(id, pending.scanTicket);
      else await client.reject(id, pending.scanTicket);
    } catch (error) {
      if (error instanceof QrClientError && TICKET_SPENT.includes(error.code)) this.forgetScan(id);
      throw error;
    }
    this.forgetScan(id);
    this.context.print(decision === 'confirm' ? `Confirmed: the device of session ${id} is signed in.` : `Rejected: session ${id} will not sign in.`);
  }

  async devices(): Promise<void> {
    const devices = await this.signedInClient().devices();
    this.context.print(`${devices.length} signed-in device(s); * marks this one`);
    for (const device of devices) {
      // A desktop signed in by QR named itself: its name is escaped like the requester of a scan.
      const name = device.name ? `"${safe(device.name)}"` : '(no name)';
      this.context.print(
        `${device.current ? '*' : ' '} ${safe(device.type).padEnd(7)} ${safe(device.id)}  ${name}  last seen ${safe(device.lastSeenAt)}`,
      );
    }
  }

  async logout(): Promise<void> {
    if (!this.state.login) {
      this.context.print('Not signed in.');
      return;
    }
    await this.signedInClient().logout();
    this.state = { ...this.state, login: undefined, pendingScans: {}, lastScannedId: undefined };
    this.store.save(this.state);
    this.context.print(`Signed out: the token of device ${this.state.device?.id} is revoked.`);
  }

  /** --server, then $QR_SERVER_URL, then the service of the last login, then localhost. */
  private server(): string {
    const server = this.options.server ?? this.context.env[SERVER_ENV] ?? this.state.server ?? DEFAULT_SERVER;
    try {
      return normaliseBaseUrl(server);
    } catch (error) {
      throw new CliError('usage', (error as Error).message, 2);
    }
  }

  private client(server: string, withToken: boolean): QrMobileClient {
    const { login, device } = this.state;
    return new QrMobileClient({
      baseUrl: server,
      fetch: this.context.fetch,
      headers: { 'User-Agent': USER_AGENT },
      credentials: withToken && login && device ? { accessToken: login.accessToken, deviceId: device.id } : undefined,
    });
  }

  /**
   * A client that sends the saved token, only ever to the service that issued it: a `--server` or `$QR_SERVER_URL`
   * that names another one is refused with `server_mismatch` (the token is a bearer token: whoever receives it can use
   * it) until the user signs in there.
   */
  private signedInClient(): QrMobileClient {
    if (!this.state.login || !this.state.device) {
      throw QrClientError.client('not_signed_in', 'sign in first: npm run mobile -- login <username> <password>');
    }
    const server = this.server();
    const issuer = this.tokenServer();
    if (issuer !== server) {
      throw new CliError(
        'server_mismatch',
        issuer === undefined
          ? `the saved sign-in does not say which service issued it, so its token is not sent to ${server}: sign in again (npm run mobile -- login <username> --server ${server})`
          : `the saved sign-in belongs to ${issuer}, not ${server}: its token is not sent there. Sign in to ${server} (npm run mobile -- login <username> --server ${server}), or leave out --server and ${SERVER_ENV}`,
      );
    }
    return this.client(server, true);
  }

  /** The service that issued the saved token, normalised like --server; undefined when the state does not say. */
  private tokenServer(): string | undefined {
    if (this.state.server === undefined) return undefined;
    try {
      return normaliseBaseUrl(this.state.server);
    } catch {
      return undefined;
    }
  }

  private forgetScan(id: string): void {
    delete this.state.pendingScans[id];
    if (this.state.lastScannedId === id) this.state.lastScannedId = undefined;
    this.store.save(this.state);
  }
}

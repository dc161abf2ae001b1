import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { MobileDeviceType } from '@app/sdk';
import { CliError } from './cli.error';

export const DEFAULT_STATE_FILE = '.mobile-client.json';
export const STATE_FILE_ENV = 'QR_MOBILE_STATE';
/** Open scan tickets kept at most (the newest ones): each is spent or refused at the next confirm or reject anyway. */
export const MAX_PENDING_SCANS = 20;

/** A scan whose ticket has not been spent yet by a confirm or a reject. */
export interface PendingScan {
  scanTicket: string;
  ticketExpiresAt: string;
}

/** What the command line remembers between runs: this install's device, its token, and open scan tickets. */
export interface MobileState {
  version: 1;
  /** The service the token was issued by. */
  server?: string;
  /** Created once and kept, logouts included: the device id is stable per install (contract §1). */
  device?: { id: string; type: MobileDeviceType; name: string };
  login?: { accessToken: string; expiresAt: string; username: string; displayName: string };
  pendingScans: Record<string, PendingScan>;
  /** The session `confirm` and `reject` act on when no id is given. */
  lastScannedId?: string;
}

export function statePath(option: string | undefined, env: Record<string, string | undefined>): string {
  return resolve(option ?? env[STATE_FILE_ENV] ?? DEFAULT_STATE_FILE);
}

/** The state file: JSON, mode 0600 (it holds a bearer token), replaced atomically so a crash never leaves half a file. */
export class MobileStateStore {
  constructor(readonly path: string) {}

  load(): MobileState {
    if (!existsSync(this.path)) return { version: 1, pendingScans: {} };
    let state: Partial<MobileState>;
    try {
      state = JSON.parse(readFileSync(this.path, 'utf8')) as Partial<MobileState>;
    } catch (error) {
      throw new CliError('state_unreadable', `cannot read ${this.path}: ${(error as Error).message}`);
    }
    if (state === null || typeof state !== 'object' || state.version !== 1) {
      throw new CliError('state_unreadable', `${this.path} is not a state file of this client`);
    }
    return { ...state, version: 1, pendingScans: state.pendingScans ?? {} };
  }

  /**
   * Writes the state. Open scan tickets are kept whatever their `ticketExpiresAt` says by this machine's clock: only the
   * service's clock counts, and a phone clock running ahead must not throw away a ticket the service would still take
   * (an expired one is answered `scan_ticket_invalid` and forgotten then). Only the newest MAX_PENDING_SCANS are kept,
   * so that the file cannot grow without end.
   */
  save(state: MobileState): void {
    const pendingScans = Object.fromEntries(Object.entries(state.pendingScans).slice(-MAX_PENDING_SCANS));
    const temporary = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify({ ...state, pendingScans }, null, 2)}\n`, { mode: 0o600 });
    // writeFileSync applies `mode` only to a new file: one left over by a crashed run would keep its old mode.
    chmodSync(temporary, 0o600);
    renameSync(temporary, this.path);
  }
}

import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DomainError, newPublicId, newSecret, secretMatchesHash, sha256Hex, type ClientInfo } from '@app/common';
import { AppConfigService } from '@app/config';
import { isMobile, type DeviceType, type QrSessionSnapshot, type QrStatus, type ScanResult } from '@app/contract';
import { DevicesRepository } from '@app/devices';
import { EventBus } from '@app/events';
import { MetricsService } from '@app/metrics';
import { SignInAlerts } from '@app/sign-in-alerts';
import { TokensService, type AuthContext } from '@app/tokens';
import { QR_EVENTS_CHANNEL, type QrSessionChangeMessage } from './qr-session-change';
import type { QrSessionEventType } from './qr-session-event.entity';
import { OPEN_STATUSES } from './qr-session.entity';
import { QrSessionsRepository, type QrSessionRow, type Scanner } from './qr-sessions.repository';
import { QrSnapshots } from './qr-snapshots';

export interface DesktopDevice {
  id: string;
  type: DeviceType;
  name?: string;
}

/** Who did something to a session, for its audit trail. */
interface Actor {
  client: ClientInfo | null;
  accountId?: string;
  deviceRowId?: string;
  clientDeviceId?: string;
}

type Refused = 'scan' | 'decide' | 'cancel';

const TERMINAL: readonly QrStatus[] = ['confirmed', 'rejected', 'cancelled'];

/**
 * The QR login state machine (contract §3): pending → scanned → confirmed, scanned → rejected,
 * pending|scanned → cancelled | expired. Each transition, its audit row and its published event commit together.
 */
@Injectable()
export class QrSessionsService {
  private readonly logger = new Logger(QrSessionsService.name);

  constructor(
    private readonly sessions: QrSessionsRepository,
    private readonly snapshots: QrSnapshots,
    private readonly devices: DevicesRepository,
    private readonly tokens: TokensService,
    private readonly bus: EventBus,
    private readonly alerts: SignInAlerts,
    private readonly config: AppConfigService,
    private readonly metrics: MetricsService,
  ) {}

  /** A desktop asks for a session. The secret is answered once and kept only as its hash. */
  async create(device: DesktopDevice, client: ClientInfo): Promise<{ session: QrSessionRow; secret: string }> {
    const { session, secret } = await this.createAttached(device, client, async () => undefined);
    return { session, secret };
  }

  /**
   * `create`, plus rows that another module keeps about the new session (the device grant's user code), written by
   * `attach` in the same transaction: they exist exactly when the session does, and if `attach` throws, nothing was
   * created and nothing was published.
   */
  async createAttached<T>(
    device: DesktopDevice,
    client: ClientInfo,
    attach: (manager: EntityManager, session: QrSessionRow) => Promise<T>,
  ): Promise<{ session: QrSessionRow; secret: string; attached: T }> {
    const secret = newSecret();
    let attached!: T;
    const session = await this.sessions.transaction(async (manager) => {
      const row = await this.sessions.insert(
        manager,
        {
          id: newPublicId(),
          secretHash: sha256Hex(secret),
          desktopClientDeviceId: device.id,
          desktopDeviceType: device.type,
          desktopDeviceName: device.name ?? null,
          desktopIp: client.ip,
          desktopUserAgent: client.userAgent,
        },
        this.config.qrTtlSeconds,
      );
      await this.record(manager, row, 'created', { client, clientDeviceId: device.id });
      attached = await attach(manager, row);
      return row;
    });
    this.metrics.qrSessionCreated();
    return { session, secret, attached };
  }

  /** Whether a session exists, for the secret-free QR image endpoints. */
  async assertExists(id: string): Promise<void> {
    if (!(await this.sessions.findById(id))) throw this.notFound();
  }

  /** The snapshot for the secret holder. A session past its time is expired on the spot, so no reader sees it open. */
  async snapshotFor(id: string, secret: string | undefined): Promise<QrSessionSnapshot> {
    let view = await this.sessions.findView(id);
    if (!view) throw this.notFound();
    this.assertSecret(view.session.secretHash, secret);
    if (this.isDue(view.session)) {
      await this.expire(id);
      view = (await this.sessions.findView(id)) ?? view;
    }
    return this.snapshots.ofView(view);
  }

  /** Checks the creation secret (the socket handshake and every desktop request). */
  async verifySecret(id: string, secret: string | undefined): Promise<void> {
    const session = await this.sessions.findById(id);
    if (!session) throw this.notFound();
    this.assertSecret(session.secretHash, secret);
  }

  /** A signed-in phone scans: it gets a scan ticket bound to this session, its account and its device. */
  async scan(id: string, auth: AuthContext, client: ClientInfo): Promise<ScanResult> {
    this.assertMobile(auth);
    const ticket = newSecret();
    const scanned = await this.sessions.transaction(async (manager) => {
      const result = await this.sessions.markScanned(manager, id, scannerOf(auth), {
        hash: sha256Hex(ticket),
        ttlSeconds: this.config.scanTicketTtlSeconds,
      });
      // A re-scan by the same phone only renews its ticket: the desktop has already been told.
      if (result?.firstScan) await this.record(manager, result.session, 'scanned', actorOf(auth, client));
      return result?.session ?? null;
    });
    if (!scanned) throw await this.refusal(id, 'scan');
    return {
      id: scanned.id,
      status: 'scanned',
      scanTicket: ticket,
      ticketExpiresAt: scanned.scanTicketExpiresAt!.toISOString(),
      requester: {
        device: { type: scanned.desktopDeviceType, name: scanned.desktopDeviceName },
        ip: scanned.desktopIp,
        userAgent: scanned.desktopUserAgent,
        createdAt: scanned.createdAt.toISOString(),
      },
    };
  }

  /** The phone that scanned confirms: the desktop device gets its own token for the phone's account. */
  async confirm(id: string, scanTicket: string, auth: AuthContext, client: ClientInfo): Promise<{ id: string; status: 'confirmed' }> {
    this.assertMobile(auth);
    const confirmed = await this.sessions.transaction(async (manager) => {
      const session = await this.sessions.markDecided(manager, id, 'confirmed', scannerOf(auth), sha256Hex(scanTicket));
      if (!session) return null;
      const desktop = await this.devices.upsertForSignIn(manager, {
        accountId: auth.accountId,
        clientDeviceId: session.desktopClientDeviceId,
        type: session.desktopDeviceType,
        name: session.desktopDeviceName,
      });
      // Throwing rolls the confirmation back: the session stays scanned and nothing was issued.
      if (!desktop) {
        throw new DomainError('forbidden', 'The desktop claims the device id of another of your devices; do not confirm it.');
      }
      const token = await this.tokens.record(manager, auth.accountId, desktop.id, 'qr');
      await this.sessions.attachLoginToken(manager, id, token.id);
      await this.alerts.publish(manager, auth.accountId, {
        method: 'qr',
        at: new Date().toISOString(),
        device: { id: desktop.clientDeviceId, type: desktop.type, name: desktop.name },
        ip: session.desktopIp,
        userAgent: session.desktopUserAgent,
        approvedBy: auth.clientDeviceId,
      });
      await this.record(manager, session, 'confirmed', actorOf(auth, client));
      return session;
    });
    if (!confirmed) throw await this.refusal(id, 'decide');
    this.metrics.qrSessionFinished('confirmed');
    return { id, status: 'confirmed' };
  }

  async reject(id: string, scanTicket: string, auth: AuthContext, client: ClientInfo): Promise<{ id: string; status: 'rejected' }> {
    this.assertMobile(auth);
    const rejected = await this.sessions.transaction(async (manager) => {
      const session = await this.sessions.markDecided(manager, id, 'rejected', scannerOf(auth), sha256Hex(scanTicket));
      if (session) await this.record(manager, session, 'rejected', actorOf(auth, client));
      return session;
    });
    if (!rejected) throw await this.refusal(id, 'decide');
    this.metrics.qrSessionFinished('rejected');
    return { id, status: 'rejected' };
  }

  /** The desktop gives up on its session. */
  async cancel(id: string, secret: string | undefined, client: ClientInfo): Promise<QrSessionSnapshot> {
    await this.verifySecret(id, secret);
    const cancelled = await this.sessions.transaction(async (manager) => {
      const session = await this.sessions.markCancelled(manager, id);
      if (session) await this.record(manager, session, 'cancelled', { client, clientDeviceId: session.desktopClientDeviceId });
      return session;
    });
    if (!cancelled) throw await this.refusal(id, 'cancel');
    this.metrics.qrSessionFinished('cancelled');
    return this.snapshots.of(cancelled);
  }

  /** Ends a session whose time is up. Safe to call from every process at once: one of them does it. */
  async expire(id: string): Promise<boolean> {
    const expired = await this.sessions.transaction(async (manager) => {
      const session = await this.sessions.markExpired(manager, id);
      if (session) await this.record(manager, session, 'expired', { client: null });
      return session;
    });
    if (expired) this.metrics.qrSessionFinished('expired');
    return expired !== null;
  }

  /** Expires every open session whose time is up, batch after batch; answers how many this process expired. */
  async expireDue(batchSize = 100): Promise<number> {
    let expired = 0;
    for (;;) {
      const due = await this.sessions.findDueForExpiry(batchSize);
      for (const id of due) if (await this.expire(id)) expired++;
      if (due.length < batchSize) return expired;
    }
  }

  /** Writes the audit row and publishes the change, inside the transition's transaction. */
  private async record(manager: EntityManager, session: QrSessionRow, type: QrSessionEventType, actor: Actor): Promise<void> {
    await this.sessions.appendEvent(manager, {
      qrSessionId: session.id,
      type,
      ip: actor.client?.ip ?? null,
      userAgent: actor.client?.userAgent ?? null,
      accountId: actor.accountId,
      deviceId: actor.deviceRowId,
      clientDeviceId: actor.clientDeviceId,
    });
    // publishedAt: the push delay metric runs from here (the end of the transition's transaction) to the desktop.
    const message: QrSessionChangeMessage = { type, snapshot: this.snapshots.of(session), publishedAt: Date.now() };
    await this.bus.publish(manager, QR_EVENTS_CHANNEL, message);
  }

  /** Why a conditional transition changed nothing, read after the fact. */
  private async refusal(id: string, action: Refused): Promise<DomainError> {
    const session = await this.sessions.findById(id);
    if (!session) return this.notFound();
    if (TERMINAL.includes(session.status)) {
      return new DomainError('qr_already_completed', `This QR session is already ${session.status}.`);
    }
    if (session.status === 'expired' || this.isDue(session)) {
      if (this.isDue(session)) await this.expire(id).catch((error) => this.logger.warn(`expire ${id}: ${error}`));
      return new DomainError('qr_expired', 'This QR session has expired.');
    }
    if (action === 'scan') return new DomainError('qr_already_scanned', 'Another device has already scanned this QR code.');
    if (action === 'decide' && session.status === 'pending') {
      return new DomainError('qr_not_scanned', 'This QR session has not been scanned yet.');
    }
    if (action === 'decide') {
      return new DomainError('scan_ticket_invalid', 'The scan ticket is unknown, expired, used, or not this device\'s.');
    }
    // A cancel that lost a race with another transition: the session is no longer open.
    return new DomainError('qr_already_completed', 'This QR session is no longer open.');
  }

  private isDue(session: Pick<QrSessionRow, 'status' | 'expiresAt'>): boolean {
    return OPEN_STATUSES.includes(session.status) && session.expiresAt.getTime() <= Date.now();
  }

  private assertSecret(hash: string, secret: string | undefined): void {
    if (!secret || !secretMatchesHash(secret, hash)) {
      throw new DomainError('qr_secret_invalid', 'The QR secret is missing or wrong.');
    }
  }

  private assertMobile(auth: AuthContext): void {
    if (!isMobile(auth.deviceType)) throw new DomainError('forbidden', 'Only a phone (ios or android device) can do this.');
  }

  private notFound(): DomainError {
    return new DomainError('qr_not_found', 'No such QR session.');
  }
}

function scannerOf(auth: AuthContext): Scanner {
  return { accountId: auth.accountId, deviceRowId: auth.deviceRowId };
}

function actorOf(auth: AuthContext, client: ClientInfo): Actor {
  return { client, accountId: auth.accountId, deviceRowId: auth.deviceRowId, clientDeviceId: auth.clientDeviceId };
}

import { Logger, OnModuleDestroy } from '@nestjs/common';
import { OnGatewayConnection, OnGatewayInit, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import type { Namespace, Socket } from 'socket.io';
import {
  QR_NAMESPACE,
  type QrClientToServerEvents,
  type QrServerToClientEvents,
  type QrSessionSnapshot,
  type QrSocketAuth,
} from '@app/contract';
import { normaliseIp } from '@app/common';
import { QrSessionChanges, QrSessionsService, type QrSessionChange } from '@app/qr-sessions';
import { RateLimiter } from '@app/rate-limits';
import { handshakeError, parseQrSocketAuth } from './qr-socket-auth';

type QrSocketData = QrSocketAuth;
type QrNamespace = Namespace<QrClientToServerEvents, QrServerToClientEvents, Record<string, never>, QrSocketData>;
type QrSocket = Socket<QrClientToServerEvents, QrServerToClientEvents, Record<string, never>, QrSocketData>;

/**
 * Push for the desktop (contract §4). Only the holder of a session's secret gets past the handshake; its socket joins
 * the room named by the session id, receives `status` at once, then every change of that session.
 *
 * Changes arrive through PostgreSQL from whichever process made them, and each process emits to its own sockets only
 * (`local`), so every socket hears each event exactly once however many processes there are.
 */
@WebSocketGateway({ namespace: QR_NAMESPACE, cors: { origin: true } })
export class QrGateway implements OnGatewayInit<QrNamespace>, OnGatewayConnection<QrSocket>, OnModuleDestroy {
  private readonly logger = new Logger(QrGateway.name);
  private readonly unsubscribes: Array<() => void> = [];

  @WebSocketServer()
  private readonly namespace: QrNamespace;

  constructor(
    private readonly sessions: QrSessionsService,
    private readonly changes: QrSessionChanges,
    private readonly limiter: RateLimiter,
  ) {}

  afterInit(namespace: QrNamespace): void {
    // Guards do not run on connection: the handshake middleware is where a socket is let in or refused.
    namespace.use((socket, next) => {
      let auth: QrSocketAuth;
      try {
        auth = parseQrSocketAuth(socket.handshake.auth);
      } catch (error) {
        return next(handshakeError(error));
      }
      this.limiter
        .consume('socketHandshake', normaliseIp(socket.handshake.address))
        .then(() => this.sessions.verifySecret(auth.qrId, auth.secret))
        .then(
          () => {
            socket.data = auth;
            next();
          },
          (error: unknown) => next(handshakeError(error)),
        );
    });
    this.unsubscribes.push(
      this.changes.subscribe((change) => this.deliver(change)),
      this.changes.onResync(() => this.resync()),
    );
  }

  async handleConnection(socket: QrSocket): Promise<void> {
    const { qrId, secret } = socket.data;
    await socket.join(qrId);
    try {
      socket.emit('status', await this.sessions.snapshotFor(qrId, secret));
    } catch (error) {
      this.logger.warn(`could not send status to ${socket.id}: ${(error as Error).message}`);
      socket.disconnect(true);
    }
  }

  onModuleDestroy(): void {
    this.unsubscribes.forEach((unsubscribe) => unsubscribe());
  }

  private deliver(change: QrSessionChange): void {
    if (change.type === 'created' || !this.hasLocalSockets(change.id)) return;
    change.snapshot().then(
      (snapshot) => this.emit(change.id, change.type as Exclude<QrSessionChange['type'], 'created'>, snapshot),
      (error: unknown) => this.logger.warn(`could not deliver ${change.type} of ${change.id}: ${(error as Error).message}`),
    );
  }

  /** After the bus reconnected, every watched session gets a fresh `status`: changes may have been missed. */
  private resync(): void {
    const watched = new Map<string, string>();
    for (const socket of this.namespace.sockets.values()) watched.set(socket.data.qrId, socket.data.secret);
    for (const [qrId, secret] of watched) {
      this.sessions.snapshotFor(qrId, secret).then(
        (snapshot) => this.emit(qrId, 'status', snapshot),
        (error: unknown) => this.logger.warn(`could not resync ${qrId}: ${(error as Error).message}`),
      );
    }
  }

  private hasLocalSockets(qrId: string): boolean {
    return (this.namespace.adapter.rooms.get(qrId)?.size ?? 0) > 0;
  }

  /** The one place that emits into a session's room. */
  private emit(qrId: string, event: keyof QrServerToClientEvents, snapshot: QrSessionSnapshot): void {
    this.namespace.local.to(qrId).emit(event, snapshot);
  }
}

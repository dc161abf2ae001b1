import { Logger, OnModuleDestroy } from '@nestjs/common';
import { OnGatewayConnection, OnGatewayInit, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import type { Namespace, Socket } from 'socket.io';
import { handshakeError } from '@app/common';
import {
  QR_NAMESPACE,
  statusRank,
  type QrClientToServerEvents,
  type QrServerToClientEvents,
  type QrSessionSnapshot,
  type QrSocketAuth,
} from '@app/contract';
import { MetricsService } from '@app/metrics';
import { QrSessionChanges, QrSessionsService, type QrSessionChange } from '@app/qr-sessions';
import { countHandshakesIn, takeRateLimitHit } from '@app/rate-limits';
import { parseQrSocketAuth } from './qr-socket-auth';

interface QrSocketData extends QrSocketAuth {
  /** The snapshot read at the handshake: the first `status`, unless a newer change came meanwhile (`held`). */
  initial?: QrSessionSnapshot;
  /** The newest snapshot this socket was sent; undefined until its first `status` went out. */
  sent?: QrSessionSnapshot;
  /** A change that arrived before the first `status`: folded into it. */
  held?: QrSessionSnapshot;
}
type QrNamespace = Namespace<QrClientToServerEvents, QrServerToClientEvents, Record<string, never>, QrSocketData>;
type QrSocket = Socket<QrClientToServerEvents, QrServerToClientEvents, Record<string, never>, QrSocketData>;
type QrEvent = keyof QrServerToClientEvents;

/**
 * Push for the desktop (contract §4). Only the holder of a session's secret gets past the handshake; its socket joins
 * the room named by the session id, receives `status` first, then every later change of that session.
 *
 * Changes arrive through the event bus from whichever process made them (and at once from this one's own requests);
 * each process emits to its own sockets only. Notifications can arrive late (a slow listener, a reconnect), and a
 * socket's first `status` is read at the handshake while changes may be arriving, so a socket is registered before
 * that read (`handshaking`), and each socket remembers what it was last sent and only ever hears a session move
 * forward: `status` first, no event twice, never back to an older state.
 *
 * A handshake costs one query: the read that checks the secret is the snapshot that `status` sends.
 */
@WebSocketGateway({ namespace: QR_NAMESPACE })
export class QrGateway implements OnGatewayInit<QrNamespace>, OnGatewayConnection<QrSocket>, OnModuleDestroy {
  private readonly logger = new Logger(QrGateway.name);
  private readonly unsubscribes: Array<() => void> = [];
  /** Sockets between the start of their handshake's read and joining their room, by session id. */
  private readonly handshaking = new Map<string, Set<QrSocket>>();
  /**
   * The handshaking sockets of each connection. One connection may carry many sockets, so it gets one `close` listener
   * for all of them (a listener per handshake piled up while several were in flight).
   */
  private readonly handshakesOf = new WeakMap<QrSocket['conn'], Set<QrSocket>>();

  @WebSocketServer()
  private readonly namespace: QrNamespace;

  constructor(
    private readonly sessions: QrSessionsService,
    private readonly changes: QrSessionChanges,
    private readonly metrics: MetricsService,
  ) {}

  afterInit(namespace: QrNamespace): void {
    this.metrics.countSocketsOf('qr', () => namespace.sockets.size);
    // Guards do not run on connection: the handshake middleware is where a socket is let in or refused.
    // The handshake's rate limit is counted by the read that checks the secret: one statement (SocketServerAdapter
    // leaves the hit here instead of counting it on its own).
    countHandshakesIn(namespace);
    namespace.use((socket, next) => {
      const hit = takeRateLimitHit(socket);
      let auth: QrSocketAuth;
      try {
        auth = parseQrSocketAuth(socket.handshake.auth);
      } catch (error) {
        // Refused before the read: counted on its own, and past the limit refused for that first.
        return void Promise.resolve(hit?.countAlone()).then(
          () => next(handshakeError(error)),
          (limited: unknown) => next(handshakeError(limited)),
        );
      }
      // Registered before the read, so that a change committed during it is held for the first `status`.
      socket.data = { qrId: auth.qrId, secret: auth.secret };
      this.startHandshake(socket);
      this.sessions.snapshotFor(auth.qrId, auth.secret, hit).then(
        (snapshot) => {
          socket.data.initial = snapshot;
          next();
        },
        (error: unknown) => {
          this.endHandshake(socket);
          next(handshakeError(error));
        },
      );
    });
    this.unsubscribes.push(
      this.changes.subscribe((change) => this.deliver(change)),
      this.changes.onResync(() => this.resync()),
    );
  }

  async handleConnection(socket: QrSocket): Promise<void> {
    const { qrId, initial, held } = socket.data;
    // The room is joined before the socket leaves `handshaking`, so no change falls between the two.
    await socket.join(qrId);
    this.endHandshake(socket);
    if (!initial) return void socket.disconnect(true);
    this.send(socket, 'status', held && statusRank(held.status) > statusRank(initial.status) ? held : initial);
  }

  onModuleDestroy(): void {
    this.unsubscribes.forEach((unsubscribe) => unsubscribe());
  }

  private deliver(change: QrSessionChange): void {
    if (change.type === 'created') return;
    const sockets = [...this.socketsOf(change.id), ...(this.handshaking.get(change.id) ?? [])];
    if (sockets.length === 0) return;
    const push = (snapshot: QrSessionSnapshot) => {
      for (const socket of sockets) {
        if (!socket.data.sent) {
          if (!socket.data.held || statusRank(snapshot.status) > statusRank(socket.data.held.status)) socket.data.held = snapshot;
        } else if (statusRank(snapshot.status) > statusRank(socket.data.sent.status)) {
          this.send(socket, change.type as QrEvent, snapshot);
          this.metrics.pushDelivered(change.publishedAt, 'socket');
        }
      }
    };
    // At hand (this process made the change, or it is not `confirmed`): written now, before the request that made
    // it answers.
    if (change.ready) return push(change.ready);
    change
      .snapshot()
      .then(push, (error: unknown) => this.logger.error(`could not deliver ${change.type} of ${change.id}: ${(error as Error).message}`));
  }

  private startHandshake(socket: QrSocket): void {
    const qrId = socket.data.qrId;
    let set = this.handshaking.get(qrId);
    if (!set) this.handshaking.set(qrId, (set = new Set()));
    set.add(socket);
    // A client gone before its connection completes must not stay registered.
    const connection = socket.conn;
    let ofConnection = this.handshakesOf.get(connection);
    if (!ofConnection) {
      this.handshakesOf.set(connection, (ofConnection = new Set()));
      connection.once('close', () => {
        for (const handshaking of this.handshakesOf.get(connection) ?? []) this.endHandshake(handshaking);
        this.handshakesOf.delete(connection);
      });
    }
    ofConnection.add(socket);
  }

  private endHandshake(socket: QrSocket): void {
    this.handshakesOf.get(socket.conn)?.delete(socket);
    const set = this.handshaking.get(socket.data.qrId);
    if (!set) return;
    set.delete(socket);
    if (set.size === 0) this.handshaking.delete(socket.data.qrId);
  }

  /** After the bus reconnected, every watched session gets a fresh `status`: changes may have been missed. */
  private resync(): void {
    const watched = new Map<string, string>();
    for (const socket of this.namespace.sockets.values()) if (socket.data.sent) watched.set(socket.data.qrId, socket.data.secret);
    for (const [qrId, secret] of watched) {
      this.sessions.snapshotFor(qrId, secret).then(
        (snapshot) => {
          for (const socket of this.socketsOf(qrId)) {
            if (socket.data.sent && statusRank(snapshot.status) >= statusRank(socket.data.sent.status)) this.send(socket, 'status', snapshot);
          }
        },
        (error: unknown) => this.logger.warn(`could not resync ${qrId}: ${(error as Error).message}`),
      );
    }
  }

  /** This process's sockets in the session's room. */
  private socketsOf(qrId: string): QrSocket[] {
    const ids = this.namespace.adapter.rooms.get(qrId) ?? new Set<string>();
    return [...ids].map((id) => this.namespace.sockets.get(id)).filter((socket): socket is QrSocket => socket !== undefined);
  }

  /** The one place that emits to a desktop. */
  private send(socket: QrSocket, event: QrEvent, snapshot: QrSessionSnapshot): void {
    socket.data.sent = snapshot;
    socket.data.held = undefined;
    socket.emit(event, snapshot);
  }
}

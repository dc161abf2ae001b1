import { OnModuleDestroy } from '@nestjs/common';
import { OnGatewayInit, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import type { Namespace, Socket } from 'socket.io';
import { DomainError, handshakeError, recheckSockets } from '@app/common';
import { AccountsRepository } from '@app/accounts';
import { ADMIN_NAMESPACE, type AdminServerToClientEvents } from '@app/contract';
import { AppConfigService } from '@app/config';
import { MetricsService } from '@app/metrics';
import { QrSessionChanges } from '@app/qr-sessions';
import { TokenRevocations, TokensService, type AuthContext } from '@app/tokens';

type AdminNamespace = Namespace<Record<string, never>, AdminServerToClientEvents, Record<string, never>, { auth?: AuthContext }>;

/**
 * Live updates for the admin page: every QR session change, as `qr_session {type, id, status}`. An admin token and
 * its device id in `auth` are checked at the handshake, as on the REST routes.
 */
@WebSocketGateway({ namespace: ADMIN_NAMESPACE })
export class AdminGateway implements OnGatewayInit<AdminNamespace>, OnModuleDestroy {
  private readonly stops: Array<() => void> = [];

  @WebSocketServer()
  private readonly namespace: AdminNamespace;

  constructor(
    private readonly tokens: TokensService,
    private readonly accounts: AccountsRepository,
    private readonly changes: QrSessionChanges,
    private readonly config: AppConfigService,
    private readonly metrics: MetricsService,
    private readonly revocations: TokenRevocations,
  ) {}

  afterInit(namespace: AdminNamespace): void {
    this.metrics.countSocketsOf('admin', () => namespace.sockets.size);
    namespace.use((socket, next) => {
      this.authorize(socket.handshake.auth).then(
        (auth) => {
          socket.data = { auth };
          next();
        },
        (error: unknown) => next(handshakeError(error)),
      );
    });
    this.stops.push(
      this.changes.subscribe((change) => {
        // Most of the time no admin is watching, and an emit to no one still encodes its packet.
        if (this.namespace.sockets.size > 0) this.namespace.local.emit('qr_session', { type: change.type, id: change.id, status: change.status });
      }),
      // A revoked admin token ends the live feed at once, on every process; the periodic recheck also catches a
      // withdrawn role.
      this.revocations.disconnectRevokedSockets<
        Socket<Record<string, never>, AdminServerToClientEvents, Record<string, never>, { auth?: AuthContext }>
      >(namespace, (socket) => socket.data.auth?.tokenId),
      recheckSockets(namespace, (socket) => this.authorize(socket.handshake.auth), this.config.socketRecheckSeconds * 1000),
    );
  }

  onModuleDestroy(): void {
    this.stops.forEach((stop) => stop());
  }

  private async authorize(auth: unknown): Promise<AuthContext> {
    const context = await this.tokens.authenticateHandshake(auth);
    const account = await this.accounts.findById(context.accountId);
    if (account?.role !== 'admin') throw new DomainError('forbidden', 'This needs an admin account.');
    return context;
  }
}

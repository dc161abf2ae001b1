import { OnModuleDestroy } from '@nestjs/common';
import { OnGatewayInit, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import type { Namespace, Socket } from 'socket.io';
import { handshakeError, recheckSockets } from '@app/common';
import { ACCOUNT_NAMESPACE, type AccountServerToClientEvents } from '@app/contract';
import { AppConfigService } from '@app/config';
import { MetricsService } from '@app/metrics';
import { TokenRevocations, TokensService, type AuthContext } from '@app/tokens';
import { SignInAlerts } from './sign-in-alerts';

type AccountNamespace = Namespace<Record<string, never>, AccountServerToClientEvents, Record<string, never>, { auth: AuthContext }>;

const roomOf = (accountId: string) => `account:${accountId}`;

/**
 * `/account`: a signed-in client (bearer token and device id in `auth`, as on REST) hears `sign_in` whenever its account
 * is signed in on another device, by password or by QR.
 */
@WebSocketGateway({ namespace: ACCOUNT_NAMESPACE })
export class AccountGateway implements OnGatewayInit<AccountNamespace>, OnModuleDestroy {
  private readonly stops: Array<() => void> = [];

  @WebSocketServer()
  private readonly namespace: AccountNamespace;

  constructor(
    private readonly tokens: TokensService,
    private readonly alerts: SignInAlerts,
    private readonly config: AppConfigService,
    private readonly metrics: MetricsService,
    private readonly revocations: TokenRevocations,
  ) {}

  afterInit(namespace: AccountNamespace): void {
    this.metrics.countSocketsOf('account', () => namespace.sockets.size);
    namespace.use((socket, next) => {
      this.tokens.authenticateHandshake(socket.handshake.auth).then(
        async (context) => {
          socket.data = { auth: context };
          await socket.join(roomOf(context.accountId));
          next();
        },
        (error: unknown) => next(handshakeError(error)),
      );
    });
    this.stops.push(
      // A token revoked after the handshake ends the feed at once, on every process; the periodic recheck stays as a
      // safety net (an account deleted in psql, a message lost while the bus reconnected).
      this.revocations.disconnectRevokedSockets<
        Socket<Record<string, never>, AccountServerToClientEvents, Record<string, never>, { auth?: AuthContext }>
      >(namespace, (socket) => socket.data.auth?.tokenId),
      recheckSockets(namespace, (socket) => this.tokens.authenticateHandshake(socket.handshake.auth), this.config.socketRecheckSeconds * 1000),
      this.alerts.subscribe(({ accountId, alert }) => {
        const room = this.namespace.adapter.rooms.get(roomOf(accountId));
        for (const id of room ?? []) {
          const socket = this.namespace.sockets.get(id);
          // The device that was just signed in knows already; everyone else is told.
          if (socket && socket.data.auth.clientDeviceId !== alert.device.id) socket.emit('sign_in', alert);
        }
      }),
    );
  }

  onModuleDestroy(): void {
    this.stops.forEach((stop) => stop());
  }
}

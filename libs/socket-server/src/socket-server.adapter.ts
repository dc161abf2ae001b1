import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Namespace, Server, ServerOptions, Socket } from 'socket.io';
import { addressKey, DomainError, handshakeError, handshakeIp, OpenSocketCounter, OriginPolicy } from '@app/common';
import type { AppConfigService } from '@app/config';
import { EventBus, RedisEventBus } from '@app/events';
import { Drain } from '@app/lifecycle';
import { countsItsHandshakes, leaveRateLimitHit, RateLimiter, SOCKET_CAPS } from '@app/rate-limits';

type EngineConnection = { request: IncomingMessage; once(event: 'close', listener: () => void): void; close(): void };

/**
 * The one Socket.IO server of the process, shared by every namespace (/qr, /account, /admin). Whatever a gateway's
 * decorator says, the server-wide protections are set here, in one place (issue 8):
 * - the `Origin` of every Engine.IO handshake is checked (WebSocket handshakes are not covered by CORS, so a browser
 *   page of another origin would otherwise get a socket), and the polling transport grants CORS to allowed origins only;
 * - the root namespace `/`, which no gateway serves, refuses everyone (`not_found`); unknown namespaces are refused by
 *   Socket.IO itself;
 * - every namespace handshake counts against the `socketHandshake` limit of the client's address, before the
 *   namespace's own checks run (so guessing secrets or tokens over sockets is limited like over HTTP), or, for a
 *   namespace that counts its handshakes itself (`countHandshakesIn`: /qr, in its first read), by that namespace;
 * - a client address holds at most `SOCKET_CAPS.perAddress` connections, an access token at most
 *   `SOCKET_CAPS.perToken` sockets;
 * - a connection that has not joined a namespace within SOCKET_HANDSHAKE_TIMEOUT_SECONDS is closed;
 * - every namespace refuses handshakes with `service_unavailable` while the event bus is down (a socket would hear
 *   nothing; clients fall back or retry, and get in again once the bus is back);
 * - with `REDIS_URL`, Socket.IO's Redis adapter, so that rooms span every process.
 * The client address is read by the same TRUST_PROXY rule as for HTTP. Limits and caps are off with RATE_LIMITS=off.
 */
export class SocketServerAdapter extends IoAdapter {
  private readonly origins: OriginPolicy;
  private readonly perAddress = new OpenSocketCounter(SOCKET_CAPS.perAddress);
  private readonly perToken = new OpenSocketCounter(SOCKET_CAPS.perToken);
  /** Keyed by the Engine.IO connection itself (an entry goes when its last socket does). */
  private readonly perConnection = new OpenSocketCounter<object>(SOCKET_CAPS.perConnection);

  constructor(
    private readonly application: INestApplicationContext,
    private readonly config: AppConfigService,
  ) {
    super(application);
    this.origins = new OriginPolicy(config);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server: Server = super.createIOServer(port, {
      ...options,
      connectTimeout: this.config.socketHandshakeTimeoutSeconds * 1000,
      cors: { origin: (origin, callback) => callback(null, origin !== undefined && this.origins.allowsCrossOrigin(origin)) },
      allowRequest: (request, callback) => {
        if (!this.origins.allowsRequest(request.headers)) return callback('origin not allowed', false);
        if (this.config.rateLimits && this.perAddress.isFull(this.addressOf(request))) {
          return callback('too many open connections from this address', false);
        }
        callback(null, true);
      },
    } as ServerOptions);

    const limiter = this.application.get(RateLimiter, { strict: false });
    const drain = this.application.get(Drain, { strict: false });
    // Draining (contract §7): every connection is closed under its clients, which then reconnect by themselves (a
    // closed transport, unlike a server-side disconnect, makes socket.io-client try again), elsewhere.
    drain.onDrain(() => {
      const clients = (server.engine as unknown as { clients: Record<string, EngineConnection> }).clients;
      for (const connection of Object.values(clients)) connection.close();
    });
    server.engine.on('connection', (connection: EngineConnection) => this.countConnection(connection));
    server.use((_socket, next) => next(handshakeError(new DomainError('not_found', 'No such namespace; use /qr, /account or /admin.'))));
    const bus = this.application.get(EventBus, { strict: false });
    server.on('new_namespace', (namespace: Namespace) => {
      namespace.use((_socket, next) =>
        bus.isListening ? next() : next(handshakeError(new DomainError('service_unavailable', 'The event bus is unreachable; retry later.'))),
      );
      this.guardNamespace(namespace, limiter, drain);
    });
    if (bus instanceof RedisEventBus) server.adapter(bus.socketIoAdapter());
    return server;
  }

  private addressOf(request: IncomingMessage): string {
    return addressKey(handshakeIp({ address: request.socket.remoteAddress ?? '', headers: request.headers }, this.config.trustProxy));
  }

  /** The hard per-address cap: a connection past it (handshakes racing past `allowRequest`) is closed at once. */
  private countConnection(connection: EngineConnection): void {
    if (!this.config.rateLimits) return;
    const address = this.addressOf(connection.request);
    const release = this.perAddress.add(address);
    connection.once('close', release);
    if (this.perAddress.count(address) > this.perAddress.cap) connection.close();
  }

  /** Runs before the namespace's own middleware (it is added as the namespace is created, before its gateway's). */
  private guardNamespace(namespace: Namespace, limiter: RateLimiter, drain: Drain): void {
    namespace.use((socket, next) => {
      if (drain.isDraining) return next(handshakeError(new DomainError('service_unavailable', 'This server is shutting down; connect again.')));
      const token = tokenKey(socket.handshake.auth);
      if (this.config.rateLimits && token && this.perToken.isFull(token)) {
        return next(handshakeError(new DomainError('rate_limited', 'Too many open sockets for this token; close one first.', 60)));
      }
      const hit = limiter.hitFor('socketHandshake', handshakeIp(socket.handshake, this.config.trustProxy));
      if (!hit) return next();
      if (countsItsHandshakes(namespace)) {
        leaveRateLimitHit(socket, hit);
        return next();
      }
      hit.countAlone().then(
        () => next(),
        (error: unknown) => next(handshakeError(error)),
      );
    });
    namespace.on('connection', (socket: Socket) => {
      if (!this.config.rateLimits) return;
      socket.once('disconnect', this.perConnection.add(socket.conn));
      // Socket.IO ignores a second CONNECT of a namespace a connection has joined, but not CONNECTs sent together,
      // which all pass the middleware before the first is connected: those past the cap go at once.
      if (this.perConnection.count(socket.conn) > this.perConnection.cap) return void socket.disconnect();
      const token = tokenKey(socket.handshake.auth);
      if (!token) return;
      const release = this.perToken.add(token);
      socket.once('disconnect', release);
      // Handshakes of one token that raced past the check above: the latest goes.
      if (this.perToken.count(token) > this.perToken.cap) socket.disconnect(true);
    });
  }
}

/** Tokens are counted by a hash: the counter must not keep bearer tokens in memory longer than the socket does. */
function tokenKey(auth: unknown): string | undefined {
  const token = (auth as { accessToken?: unknown } | undefined)?.accessToken;
  return typeof token === 'string' && token.length > 0 ? createHash('sha256').update(token).digest('base64url') : undefined;
}

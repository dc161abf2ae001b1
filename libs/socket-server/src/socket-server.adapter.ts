import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { Server, ServerOptions } from 'socket.io';
import { OriginPolicy } from '@app/common';
import type { AppConfigService } from '@app/config';

/**
 * The one Socket.IO server of the process, shared by every namespace (/qr, /account, /admin). Whatever a gateway's
 * decorator says, the server-wide protections are set here, in one place:
 * - the `Origin` of every Engine.IO handshake is checked (WebSocket handshakes are not covered by CORS, so a browser
 *   page of another origin would otherwise get a socket), and the polling transport grants CORS to allowed origins only.
 */
export class SocketServerAdapter extends IoAdapter {
  private readonly origins: OriginPolicy;

  constructor(app: INestApplicationContext, config: AppConfigService) {
    super(app);
    this.origins = new OriginPolicy(config.publicUrl, config.corsOrigins);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    return super.createIOServer(port, {
      ...options,
      cors: { origin: (origin, callback) => callback(null, origin !== undefined && this.origins.allowsCrossOrigin(origin)) },
      allowRequest: (request, callback) => {
        if (!this.origins.allowsRequest(request.headers)) return callback('origin not allowed', false);
        callback(null, true);
      },
    } as ServerOptions);
  }
}

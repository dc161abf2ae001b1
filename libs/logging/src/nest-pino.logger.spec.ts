import pino from 'pino';
import { NestPinoLogger } from './nest-pino.logger';

function capture(level: 'info' | 'debug') {
  const lines: Array<{ level: number; context?: string; msg: string }> = [];
  const logger = pino({ level }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { nest: new NestPinoLogger(logger), lines };
}

describe('NestPinoLogger', () => {
  it("writes Nest's account of its start at debug, the service's own lines at info", () => {
    const { nest, lines } = capture('info');
    nest.log('AppModule dependencies initialized', 'InstanceLoader');
    nest.log('QrSessionsController {/api/qr-sessions}:', 'RoutesResolver');
    nest.log('Mapped {/api/qr-sessions, POST} route', 'RouterExplorer');
    nest.log('Nest application successfully started', 'NestApplication');
    nest.log('QR login service on http://localhost:3000', 'Bootstrap');
    expect(lines.map((line) => [line.level, line.context, line.msg])).toEqual([
      [30, 'NestApplication', 'Nest application successfully started'],
      [30, 'Bootstrap', 'QR login service on http://localhost:3000'],
    ]);
  });

  it('shows the routes mapped at LOG_LEVEL=debug', () => {
    const { nest, lines } = capture('debug');
    nest.log('Mapped {/api/qr-sessions, POST} route', 'RouterExplorer');
    expect(lines).toEqual([expect.objectContaining({ level: 20, context: 'RouterExplorer', msg: 'Mapped {/api/qr-sessions, POST} route' })]);
  });
});

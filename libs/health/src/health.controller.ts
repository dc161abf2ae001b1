import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { ApiErrors, DomainError } from '@app/common';
import { EventBus } from '@app/events';
import { Drain } from '@app/lifecycle';

type Ready = { status: 'ok'; database: 'up'; events: 'up' };

/**
 * Health for orchestrators and load balancers (contract §7): `live` says the process runs (restart it if not), `ready`
 * says it should get traffic: the database answers, the event listener is connected, and it is not draining.
 * `GET /api/health` stays, answering as `ready` does.
 */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly bus: EventBus,
    private readonly drain: Drain,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: 200 while the process runs (it checks nothing else)' })
  @ApiOkResponse({ schema: { example: { status: 'ok' } } })
  @Header('Cache-Control', 'no-store')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: 200 when the database and the event bus are reachable and the process is not draining' })
  @ApiOkResponse({ schema: { example: { status: 'ok', database: 'up', events: 'up' } } })
  @ApiErrors('service_unavailable')
  @Header('Cache-Control', 'no-store')
  ready(): Promise<Ready> {
    return this.check();
  }

  @Get()
  @ApiOperation({ summary: 'The same as /api/health/ready (kept for existing probes)' })
  @ApiOkResponse({ schema: { example: { status: 'ok', database: 'up', events: 'up' } } })
  @ApiErrors('service_unavailable')
  @Header('Cache-Control', 'no-store')
  async check(): Promise<Ready> {
    if (this.drain.isDraining) throw new DomainError('service_unavailable', 'This process is shutting down.');
    try {
      await this.dataSource.query('SELECT 1');
    } catch {
      throw new DomainError('service_unavailable', 'The database is unreachable.');
    }
    if (!this.bus.isListening) throw new DomainError('service_unavailable', 'The event listener is reconnecting.');
    return { status: 'ok', database: 'up', events: 'up' };
  }
}

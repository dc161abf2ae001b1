import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { ApiErrors, DomainError } from '@app/common';
import { EventBus } from '@app/events';

/** `GET /api/health`: 200 when the database answers and the event listener is connected, else 503. */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly bus: EventBus,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Whether the database and the event listener are up' })
  @ApiOkResponse({ schema: { example: { status: 'ok', database: 'up', events: 'up' } } })
  @ApiErrors('service_unavailable')
  @Header('Cache-Control', 'no-store')
  async check(): Promise<{ status: 'ok'; database: 'up'; events: 'up' }> {
    try {
      await this.dataSource.query('SELECT 1');
    } catch {
      throw new DomainError('service_unavailable', 'The database is unreachable.');
    }
    if (!this.bus.isListening) throw new DomainError('service_unavailable', 'The event listener is reconnecting.');
    return { status: 'ok', database: 'up', events: 'up' };
  }
}

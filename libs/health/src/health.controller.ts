import { Controller, Get, Header } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainError } from '@app/common';
import { PgEventBus } from '@app/events';

/** `GET /api/health`: 200 when the database answers and the event listener is connected, else 503. */
@Controller('health')
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly bus: PgEventBus,
  ) {}

  @Get()
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

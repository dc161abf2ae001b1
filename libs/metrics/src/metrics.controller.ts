import { Controller, Get, Headers, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import { DomainError } from '@app/common';
import { AppConfigService } from '@app/config';
import { MetricsService } from './metrics.service';

/**
 * `GET /metrics` (outside the /api prefix, where Prometheus looks by default): the text exposition format.
 * With `METRICS_TOKEN` set, only `Authorization: Bearer <METRICS_TOKEN>` may read it.
 */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    private readonly config: AppConfigService,
  ) {}

  @Get()
  async scrape(@Headers('authorization') authorization: string | undefined, @Res() reply: FastifyReply): Promise<void> {
    this.authorize(authorization);
    const { contentType, body } = await this.metrics.render();
    reply.header('Content-Type', contentType).header('Cache-Control', 'no-store').send(body);
  }

  private authorize(authorization: string | undefined): void {
    const token = this.config.metricsToken;
    if (!token) return;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    const given = Buffer.from(match?.[1] ?? '');
    const expected = Buffer.from(token);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new DomainError('unauthorized', 'The metrics need Authorization: Bearer <METRICS_TOKEN>.');
    }
  }
}

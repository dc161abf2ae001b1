import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post, Query, Res, StreamableFile } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiErrors, Client, type ClientInfo } from '@app/common';
import { AppConfigService } from '@app/config';
import type { CreatedQrSession, QrSessionSnapshot, ScanResult } from '@app/contract';
import { LeftRateLimitHit, RateLimit, RateLimitCountedByRoute, type RateLimitHit } from '@app/rate-limits';
import { CurrentPendingAuth, DeviceAuth, type PendingAuth } from '@app/tokens';
import { CreateQrSessionDto, CreateQrSessionQuery } from './dto/create-qr-session.dto';
import {
  ConfirmedResponse,
  CreatedQrSessionResponse,
  QrSessionSnapshotResponse,
  RejectedResponse,
  ScanResultResponse,
} from './dto/qr-session.responses';
import { QrSessionIdParams } from './dto/qr-session-id.params';
import { ScanTicketDto } from './dto/scan-ticket.dto';
import { WatchQrSessionQuery } from './dto/watch-qr-session.query';
import { QrImages } from './qr-images';
import { QrLongPoll } from './qr-long-poll';
import { QrSecret } from './qr-secret.decorator';
import { QrSessionsService } from './qr-sessions.service';

@ApiTags('qr-sessions')
@ApiErrors('rate_limited', 'service_unavailable')
@Controller('qr-sessions')
export class QrSessionsController {
  constructor(
    private readonly sessions: QrSessionsService,
    private readonly longPoll: QrLongPoll,
    private readonly images: QrImages,
    private readonly config: AppConfigService,
  ) {}

  /** A desktop asks for a QR session (no sign-in needed). */
  @Post()
  @HttpCode(201)
  @RateLimit('createQr')
  @RateLimitCountedByRoute()
  @ApiOperation({ summary: 'A desktop asks for a QR session (no sign-in needed; desktop device types only)' })
  @ApiCreatedResponse({ type: CreatedQrSessionResponse })
  @ApiErrors('validation_failed', 'payload_too_large')
  @Header('Cache-Control', 'no-store')
  async create(
    @Body() dto: CreateQrSessionDto,
    @Query() query: CreateQrSessionQuery,
    @Client() client: ClientInfo,
    @LeftRateLimitHit() hit: RateLimitHit | undefined,
  ): Promise<CreatedQrSession> {
    const { session, secret } = await this.sessions.create(dto.device, client, hit);
    const qrContent = this.contentOf(session.id);
    const image = query.image ?? 'svg';
    return {
      id: session.id,
      secret,
      status: 'pending',
      expiresAt: session.expiresAt.toISOString(),
      qrContent,
      ...(image === 'none' ? {} : { qrImage: await this.images.dataUrl(qrContent, image) }),
    };
  }

  @Get(':id/qr.svg')
  @RateLimit('watchQr')
  @ApiOperation({ summary: 'The QR code as SVG (it carries only the id)' })
  // The image type on the image only: an error is the contract's JSON body, as everywhere.
  @ApiOkResponse({ description: 'An SVG image.', content: { 'image/svg+xml': { schema: { type: 'string' } } } })
  @ApiErrors('validation_failed', 'qr_not_found')
  @Header('Cache-Control', 'no-store')
  async svg(@Param() { id }: QrSessionIdParams): Promise<StreamableFile> {
    await this.sessions.assertExists(id);
    return new StreamableFile(Buffer.from(await this.images.svg(this.contentOf(id))), { type: 'image/svg+xml' });
  }

  @Get(':id/qr.png')
  @RateLimit('watchQr')
  @ApiOperation({ summary: 'The QR code as PNG (it carries only the id)' })
  @ApiOkResponse({ description: 'A PNG image.', content: { 'image/png': { schema: { type: 'string', format: 'binary' } } } })
  @ApiErrors('validation_failed', 'qr_not_found')
  @Header('Cache-Control', 'no-store')
  async png(@Param() { id }: QrSessionIdParams): Promise<StreamableFile> {
    await this.sessions.assertExists(id);
    return new StreamableFile(await this.images.png(this.contentOf(id)), { type: 'image/png' });
  }

  /** The desktop reads its session; with `wait` and `since` this is the long-poll fallback of the socket. */
  @Get(':id')
  @RateLimit('watchQr')
  @RateLimitCountedByRoute()
  @ApiOperation({
    summary: 'The session snapshot for its creator; long-polls with wait and since',
    description:
      'Answers at once when the status differs from since; otherwise holds the request until it changes or wait runs out, then answers the snapshot either way.',
  })
  @ApiHeader({ name: 'X-QR-Secret', required: true, description: 'The secret that creating the session answered.' })
  @ApiOkResponse({ type: QrSessionSnapshotResponse })
  @ApiErrors('validation_failed', 'qr_secret_invalid', 'qr_not_found')
  @Header('Cache-Control', 'no-store')
  watch(
    @Param() { id }: QrSessionIdParams,
    @Query() query: WatchQrSessionQuery,
    @QrSecret() secret: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
    @LeftRateLimitHit() hit: RateLimitHit | undefined,
  ): Promise<QrSessionSnapshot> {
    const abort = new AbortController();
    // The Node response closes when the desktop goes away, and also once the answer is written: only the first ends a
    // held long-poll (an abort makes a DOMException, whose stack trace costs more than the rest of a short read).
    const leave = () => {
      if (!reply.raw.writableFinished) abort.abort();
    };
    reply.raw.once('close', leave);
    // The desktop may have gone already, during the guards' round trips, before there was a listener.
    if (reply.raw.destroyed) leave();
    return this.longPoll.watch(id, secret, query.since, query.wait, abort.signal, hit);
  }

  @Delete(':id')
  @RateLimit('watchQr')
  @RateLimitCountedByRoute()
  @ApiOperation({ summary: 'The desktop cancels its session' })
  @ApiHeader({ name: 'X-QR-Secret', required: true, description: 'The secret that creating the session answered.' })
  @ApiOkResponse({ type: QrSessionSnapshotResponse })
  @ApiErrors('validation_failed', 'qr_secret_invalid', 'qr_not_found', 'qr_already_completed', 'qr_expired')
  @HttpCode(200)
  cancel(
    @Param() { id }: QrSessionIdParams,
    @QrSecret() secret: string | undefined,
    @Client() client: ClientInfo,
    @LeftRateLimitHit() hit: RateLimitHit | undefined,
  ): Promise<QrSessionSnapshot> {
    return this.sessions.cancel(id, secret, client, hit);
  }

  @Post(':id/scan')
  @RateLimit('phoneAction')
  @HttpCode(200)
  @DeviceAuth({ checkedInStatement: true })
  // It carries the scan ticket: no cache may keep it.
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'A signed-in phone scans: it gets a scan ticket and sees who asks' })
  @ApiOkResponse({ type: ScanResultResponse })
  @ApiErrors('forbidden', 'qr_not_found', 'qr_already_scanned', 'qr_already_completed', 'qr_expired')
  scan(@Param() { id }: QrSessionIdParams, @CurrentPendingAuth() caller: PendingAuth, @Client() client: ClientInfo): Promise<ScanResult> {
    return this.sessions.scan(id, caller, client);
  }

  @Post(':id/confirm')
  @RateLimit('phoneAction')
  @HttpCode(200)
  @DeviceAuth({ checkedInStatement: true })
  @ApiOperation({ summary: 'The phone that scanned confirms: the desktop is signed in' })
  @ApiOkResponse({ type: ConfirmedResponse })
  @ApiErrors('forbidden', 'scan_ticket_invalid', 'qr_not_found', 'qr_not_scanned', 'qr_already_completed', 'qr_expired', 'payload_too_large')
  confirm(
    @Param() { id }: QrSessionIdParams,
    @Body() dto: ScanTicketDto,
    @CurrentPendingAuth() caller: PendingAuth,
    @Client() client: ClientInfo,
  ): Promise<{ id: string; status: 'confirmed' }> {
    return this.sessions.confirm(id, dto.scanTicket, caller, client);
  }

  @Post(':id/reject')
  @RateLimit('phoneAction')
  @HttpCode(200)
  @DeviceAuth({ checkedInStatement: true })
  @ApiOperation({ summary: 'The phone that scanned rejects' })
  @ApiOkResponse({ type: RejectedResponse })
  @ApiErrors('forbidden', 'scan_ticket_invalid', 'qr_not_found', 'qr_not_scanned', 'qr_already_completed', 'qr_expired', 'payload_too_large')
  reject(
    @Param() { id }: QrSessionIdParams,
    @Body() dto: ScanTicketDto,
    @CurrentPendingAuth() caller: PendingAuth,
    @Client() client: ClientInfo,
  ): Promise<{ id: string; status: 'rejected' }> {
    return this.sessions.reject(id, dto.scanTicket, caller, client);
  }

  private contentOf(id: string): string {
    return `${this.config.publicUrl}/q/${id}`;
  }
}

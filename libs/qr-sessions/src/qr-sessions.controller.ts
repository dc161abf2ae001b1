import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post, Query, Res, StreamableFile, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { Client, type ClientInfo } from '@app/common';
import { AppConfigService } from '@app/config';
import type { CreatedQrSession, QrSessionSnapshot, ScanResult } from '@app/contract';
import { RateLimit } from '@app/rate-limits';
import { AccessTokenGuard, CurrentAuth, type AuthContext } from '@app/tokens';
import { CreateQrSessionDto, CreateQrSessionQuery } from './dto/create-qr-session.dto';
import { QrSessionIdParams } from './dto/qr-session-id.params';
import { ScanTicketDto } from './dto/scan-ticket.dto';
import { WatchQrSessionQuery } from './dto/watch-qr-session.query';
import { QrImages } from './qr-images';
import { QrLongPoll } from './qr-long-poll';
import { QrSecret } from './qr-secret.decorator';
import { QrSessionsService } from './qr-sessions.service';

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
  @Header('Cache-Control', 'no-store')
  async create(
    @Body() dto: CreateQrSessionDto,
    @Query() query: CreateQrSessionQuery,
    @Client() client: ClientInfo,
  ): Promise<CreatedQrSession> {
    const { session, secret } = await this.sessions.create(dto.device, client);
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
  @Header('Cache-Control', 'no-store')
  async svg(@Param() { id }: QrSessionIdParams): Promise<StreamableFile> {
    await this.sessions.assertExists(id);
    return new StreamableFile(Buffer.from(await this.images.svg(this.contentOf(id))), { type: 'image/svg+xml' });
  }

  @Get(':id/qr.png')
  @RateLimit('watchQr')
  @Header('Cache-Control', 'no-store')
  async png(@Param() { id }: QrSessionIdParams): Promise<StreamableFile> {
    await this.sessions.assertExists(id);
    return new StreamableFile(await this.images.png(this.contentOf(id)), { type: 'image/png' });
  }

  /** The desktop reads its session; with `wait` and `since` this is the long-poll fallback of the socket. */
  @Get(':id')
  @RateLimit('watchQr')
  @Header('Cache-Control', 'no-store')
  watch(
    @Param() { id }: QrSessionIdParams,
    @Query() query: WatchQrSessionQuery,
    @QrSecret() secret: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<QrSessionSnapshot> {
    const abort = new AbortController();
    response.once('close', () => abort.abort());
    return this.longPoll.watch(id, secret, query.since, query.wait, abort.signal);
  }

  @Delete(':id')
  @RateLimit('watchQr')
  @HttpCode(200)
  cancel(
    @Param() { id }: QrSessionIdParams,
    @QrSecret() secret: string | undefined,
    @Client() client: ClientInfo,
  ): Promise<QrSessionSnapshot> {
    return this.sessions.cancel(id, secret, client);
  }

  @Post(':id/scan')
  @RateLimit('phoneAction')
  @HttpCode(200)
  @UseGuards(AccessTokenGuard)
  scan(@Param() { id }: QrSessionIdParams, @CurrentAuth() auth: AuthContext, @Client() client: ClientInfo): Promise<ScanResult> {
    return this.sessions.scan(id, auth, client);
  }

  @Post(':id/confirm')
  @RateLimit('phoneAction')
  @HttpCode(200)
  @UseGuards(AccessTokenGuard)
  confirm(
    @Param() { id }: QrSessionIdParams,
    @Body() dto: ScanTicketDto,
    @CurrentAuth() auth: AuthContext,
    @Client() client: ClientInfo,
  ): Promise<{ id: string; status: 'confirmed' }> {
    return this.sessions.confirm(id, dto.scanTicket, auth, client);
  }

  @Post(':id/reject')
  @RateLimit('phoneAction')
  @HttpCode(200)
  @UseGuards(AccessTokenGuard)
  reject(
    @Param() { id }: QrSessionIdParams,
    @Body() dto: ScanTicketDto,
    @CurrentAuth() auth: AuthContext,
    @Client() client: ClientInfo,
  ): Promise<{ id: string; status: 'rejected' }> {
    return this.sessions.reject(id, dto.scanTicket, auth, client);
  }

  private contentOf(id: string): string {
    return `${this.config.publicUrl}/q/${id}`;
  }
}

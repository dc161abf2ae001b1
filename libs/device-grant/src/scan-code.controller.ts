import { Body, Controller, Header, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, Client, type ClientInfo } from '@app/common';
import { RateLimit } from '@app/rate-limits';
import { CurrentAuth, DeviceAuth, type AuthContext } from '@app/tokens';
import type { ScanCodeResult } from '@app/contract';
import { DeviceGrantService } from './device-grant.service';
import { ScanCodeResultResponse } from './dto/oauth.responses';
import { ScanCodeDto } from './dto/scan-code.dto';

/** The phone's side of the device grant: typing the user code instead of scanning a QR (contract §8). */
@ApiTags('qr-sessions')
@ApiErrors('rate_limited', 'service_unavailable')
@Controller('qr-sessions')
export class ScanCodeController {
  constructor(private readonly grants: DeviceGrantService) {}

  @Post('scan-code')
  @RateLimit('scanCode')
  @HttpCode(200)
  @DeviceAuth()
  // It carries the scan ticket: no cache may keep it.
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'A signed-in phone types the user code of a CLI or TV: answers like scan',
    description:
      'Case-insensitive, with or without the dash. `id` is the session to confirm or reject with the usual routes. Limited per address and per account.',
  })
  @ApiOkResponse({ type: ScanCodeResultResponse })
  @ApiErrors('forbidden', 'qr_not_found', 'qr_already_scanned', 'qr_already_completed', 'qr_expired', 'payload_too_large')
  scanCode(@Body() dto: ScanCodeDto, @CurrentAuth() auth: AuthContext, @Client() client: ClientInfo): Promise<ScanCodeResult> {
    return this.grants.scanCode(dto.userCode, auth, client);
  }
}

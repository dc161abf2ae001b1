import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  DEVICE_TYPES,
  QR_STATUSES,
  type CreatedQrSession,
  type DeviceType,
  type QrSessionSnapshot,
  type QrStatus,
  type ScanResult,
} from '@app/contract';
import { LoginResultResponse } from '@app/tokens';

class ScannedByResponse {
  @ApiProperty({ example: 'Alice' })
  displayName: string;

  @ApiProperty({
    example: 'alice',
    description: 'Unique and plain ASCII ([a-z0-9._-]): show it beside the display name, which can imitate another one.',
  })
  username: string;
}

/** A session as its secret holder (the desktop) sees it; also the payload of every Socket.IO event. */
export class QrSessionSnapshotResponse implements QrSessionSnapshot {
  @ApiProperty({ example: 'JFZwdLT_98zU28qg6cAaaw' })
  id: string;

  @ApiProperty({ enum: QR_STATUSES })
  status: QrStatus;

  @ApiProperty({ format: 'date-time' })
  expiresAt: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Once scanned.' })
  scannedAt?: string;

  @ApiPropertyOptional({ type: ScannedByResponse, description: 'Once scanned.' })
  scannedBy?: ScannedByResponse;

  @ApiPropertyOptional({
    type: LoginResultResponse,
    description: "Only when confirmed: the desktop's own token, until expiresAt or 60 s after confirmation, whichever is later.",
  })
  login?: LoginResultResponse;
}

export class CreatedQrSessionResponse implements CreatedQrSession {
  @ApiProperty({ example: 'JFZwdLT_98zU28qg6cAaaw', description: 'The only thing inside the QR code.' })
  id: string;

  @ApiProperty({ description: 'Proof that you created the session: send it as X-QR-Secret or socket auth.secret. Never show it.' })
  secret: string;

  @ApiProperty({ enum: ['pending'] })
  status: 'pending';

  @ApiProperty({ format: 'date-time' })
  expiresAt: string;

  @ApiProperty({ example: 'http://localhost:3000/q/JFZwdLT_98zU28qg6cAaaw', description: 'The text inside the QR: <PUBLIC_URL>/q/<id>.' })
  qrContent: string;

  @ApiPropertyOptional({ description: 'data:image/svg+xml;base64,... by default, data:image/png;base64,... with image=png; absent with image=none.' })
  qrImage?: string;
}

export class RequesterDeviceResponse {
  @ApiProperty({ enum: DEVICE_TYPES })
  type: DeviceType;

  @ApiProperty({ type: String, nullable: true, description: 'Null when the desktop gave none.' })
  name: string | null;
}

/** Who asks to be signed in: shown to the user on the phone before they confirm. */
export class RequesterResponse {
  @ApiProperty({ type: RequesterDeviceResponse })
  device: RequesterDeviceResponse;

  @ApiProperty({ type: String, nullable: true, example: '203.0.113.7' })
  ip: string | null;

  @ApiProperty({ type: String, nullable: true })
  userAgent: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export class ScanResultResponse implements ScanResult {
  @ApiProperty()
  id: string;

  @ApiProperty({ enum: ['scanned'] })
  status: 'scanned';

  @ApiProperty({ description: 'Bound to this session, this account and this device; single use.' })
  scanTicket: string;

  @ApiProperty({ format: 'date-time' })
  ticketExpiresAt: string;

  @ApiProperty({ type: RequesterResponse, description: 'The desktop that shows the QR: show it to the user before they confirm.' })
  requester: RequesterResponse;
}

export class ConfirmedResponse {
  @ApiProperty()
  id: string;

  @ApiProperty({ enum: ['confirmed'] })
  status: 'confirmed';
}

export class RejectedResponse {
  @ApiProperty()
  id: string;

  @ApiProperty({ enum: ['rejected'] })
  status: 'rejected';
}

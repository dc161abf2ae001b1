import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches } from 'class-validator';
import { PRINTABLE_TEXT_PATTERN } from '@app/contract';

export const CLIENT_ID_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;

/** `POST /oauth/device_authorization` (RFC 8628 §3.1), form-encoded. Unknown parameters (e.g. `scope`) are ignored. */
export class DeviceAuthorizationRequest {
  @ApiProperty({
    example: 'my-cli',
    pattern: '^[A-Za-z0-9._:-]{1,64}$',
    description: 'Any name of the public client; the token request must repeat it.',
  })
  @IsString({ message: 'client_id is required' })
  @Matches(CLIENT_ID_PATTERN, { message: 'client_id must be 1-64 characters of A-Z a-z 0-9 . _ : -' })
  client_id: string;

  @ApiPropertyOptional({
    minLength: 1,
    maxLength: 100,
    example: 'build server',
    description: 'Shown to the phone before it confirms; the client_id when absent.',
  })
  @IsOptional()
  @IsString()
  @Length(1, 100, { message: 'device_name must be 1-100 characters' })
  @Matches(PRINTABLE_TEXT_PATTERN, { message: 'device_name must not contain control or format characters' })
  device_name?: string;
}

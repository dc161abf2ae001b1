import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { PUBLIC_ID_PATTERN } from '@app/common';

export class QrSessionIdParams {
  @ApiProperty({ example: 'JFZwdLT_98zU28qg6cAaaw' })
  @IsString()
  @Matches(PUBLIC_ID_PATTERN, { message: 'id must be a QR session id (22 characters of A-Z a-z 0-9 _ -)' })
  id: string;
}

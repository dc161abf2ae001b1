import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

export class ScanTicketDto {
  @ApiProperty({ description: 'The ticket the scan answered (same account and device).' })
  @IsString()
  @Length(1, 256, { message: 'scanTicket must be the ticket the scan answered' })
  scanTicket: string;
}

import { IsString, Length } from 'class-validator';

export class ScanTicketDto {
  @IsString()
  @Length(1, 256, { message: 'scanTicket must be the ticket the scan answered' })
  scanTicket: string;
}

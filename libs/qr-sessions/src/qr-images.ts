import { Injectable } from '@nestjs/common';
import QRCode from 'qrcode';

export type QrImageFormat = 'svg' | 'png';

const OPTIONS = { errorCorrectionLevel: 'M', margin: 2 } as const;

/** Renders `qrContent` as a QR image; the image only ever carries the session's public URL. */
@Injectable()
export class QrImages {
  svg(content: string): Promise<string> {
    return QRCode.toString(content, { ...OPTIONS, type: 'svg' });
  }

  png(content: string): Promise<Buffer> {
    return QRCode.toBuffer(content, { ...OPTIONS, type: 'png', width: 320 });
  }

  async dataUrl(content: string, format: QrImageFormat): Promise<string> {
    return format === 'svg'
      ? `data:image/svg+xml;base64,${Buffer.from(await this.svg(content)).toString('base64')}`
      : `data:image/png;base64,${(await this.png(content)).toString('base64')}`;
  }
}

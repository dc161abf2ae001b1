/** What a desktop says about itself and the image it wants: shared by the desktop client and the renewer. */
import type { DeviceType } from '@app/contract';

/** The desktop that asks for a QR session; the token a confirmation gives is issued to this device. */
export interface DesktopDevice {
  /** 8-128 of `[A-Za-z0-9._:-]`, stable per install. */
  id: string;
  type: DesktopDeviceType;
  name?: string;
}

/** `svg` (the server's default), `png`, or `none` to leave `qrImage` out. */
export type QrImageFormat = 'svg' | 'png' | 'none';

export type DesktopDeviceType = Extract<DeviceType, 'pc' | 'web'>;

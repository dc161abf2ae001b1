/** The device vocabulary of the contract (§1), shared by every DTO and by the token guard. */
/**
 * Text that people read on another device (names shown to the phone before it confirms): no control or format
 * characters, so that a desktop cannot fake or hide lines of what the phone shows.
 */
export const PRINTABLE_TEXT_PATTERN = /^[^\p{Cc}\p{Cf}]*$/u;

export const DEVICE_ID_PATTERN = /^[A-Za-z0-9._:-]{8,128}$/;
export const DEVICE_TYPES = ['ios', 'android', 'pc', 'web'] as const;
export type DeviceType = (typeof DEVICE_TYPES)[number];
export const MOBILE_DEVICE_TYPES: readonly DeviceType[] = ['ios', 'android'];
export const DESKTOP_DEVICE_TYPES: readonly DeviceType[] = ['pc', 'web'];

export function isMobile(type: DeviceType): boolean {
  return MOBILE_DEVICE_TYPES.includes(type);
}
export function isDeviceType(value: unknown): value is DeviceType {
  return typeof value === 'string' && (DEVICE_TYPES as readonly string[]).includes(value);
}

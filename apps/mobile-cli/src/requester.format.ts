import type { ScanCodeResult, ScanResult } from '@app/sdk';
import { escapeTerminalText as safe } from './terminal-text';

/** "12 s ago", "3 min ago", "2 h ago": how long ago the desktop asked for the QR. */
export function ageOf(isoTime: string, now: number): string {
  const seconds = Math.floor((now - Date.parse(isoTime)) / 1000);
  if (!Number.isFinite(seconds)) return 'unknown';
  // A phone's clock a little ahead of the server's is no reason to print a negative age.
  if (seconds < 1) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  return `${Math.floor(seconds / 3600)} h ago`;
}

/**
 * Who asks to be signed in, for the user to compare with the computer in front of them: a QR relayed by a phisher
 * shows another device, address or age. Every value is escaped (see escapeTerminalText): the desktop picks its own
 * name and user agent, and must not be able to hide or fake a line with control characters.
 */
export function formatScan(scan: ScanResult | ScanCodeResult, now: number): string {
  const { device, ip, userAgent, createdAt } = scan.requester;
  // A CLI or TV signing in with a user code (OAuth device grant) names its OAuth client and its code too.
  const grant = 'clientId' in scan.requester ? scan.requester : undefined;
  return [
    `Sign-in request for QR session ${safe(scan.id)}`,
    `  device:      ${safe(device.type)}${device.name ? ` "${safe(device.name)}"` : ' (no name)'}`,
    ...(grant ? [`  client id:   ${safe(grant.clientId)}`, `  code:        ${safe(grant.userCode)} (the device must show the same code)`] : []),
    `  IP address:  ${ip ? safe(ip) : 'unknown'}`,
    `  user agent:  ${userAgent ? safe(userAgent) : 'unknown'}`,
    `  requested:   ${ageOf(createdAt, now)} (${safe(createdAt)})`,
    grant
      ? `Only confirm if the device in front of you shows this code (the ticket is valid until ${safe(scan.ticketExpiresAt)}):`
      : `Only confirm if this is the computer in front of you (the ticket is valid until ${safe(scan.ticketExpiresAt)}):`,
    '  npm run mobile -- confirm     signs it in',
    '  npm run mobile -- reject      refuses',
  ].join('\n');
}

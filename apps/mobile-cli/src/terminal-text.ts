/**
 * Text that came from elsewhere (a desktop's device name and user agent, names of devices, the service's messages),
 * made safe to print on a terminal: every control and format character is shown as an escape instead of acting.
 *
 * A phishing desktop chooses its own name and user agent. Raw, `\r` or ESC sequences (`\x1b[2K`, cursor moves,
 * colours), C1 controls (`\x9b` is a CSI on its own), a newline, or bidi overrides (U+202E turns text around) could
 * hide or fake the lines the user relies on to tell their own computer from another. Escaped, each is visible and
 * inert, and what one field prints always stays on its own line. A backslash is doubled so that an escape cannot be
 * faked either.
 */
const UNSAFE = /[\\\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;

export function escapeTerminalText(text: string): string {
  return text.replace(UNSAFE, (character) => {
    if (character === '\\') return '\\\\';
    const code = character.codePointAt(0)!;
    if (code <= 0xff) return `\\x${code.toString(16).padStart(2, '0')}`;
    return `\\u{${code.toString(16).padStart(4, '0')}}`;
  });
}

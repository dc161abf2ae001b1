import { escapeTerminalText } from './terminal-text';

describe('escapeTerminalText', () => {
  it('leaves ordinary text alone, accents, CJK and emoji included', () => {
    expect(escapeTerminalText('Firefox on Linux (Mozilla/5.0; rv:128.0) é 電腦 💻')).toBe('Firefox on Linux (Mozilla/5.0; rv:128.0) é 電腦 💻');
  });

  it.each([
    ['ESC sequences (erase line, cursor up, colour)', 'a\u001b[2K\u001b[1A\u001b[32mb', 'a\\x1b[2K\\x1b[1A\\x1b[32mb'],
    ['carriage return and newline', 'Office PC\r\n  IP address:  10.0.0.1', 'Office PC\\x0d\\x0a  IP address:  10.0.0.1'],
    ['tab, backspace, bell, NUL', '\t\b\u0007\u0000', '\\x09\\x08\\x07\\x00'],
    ['DEL', 'x\u007fy', 'x\\x7fy'],
    ['C1 controls (CSI, NEL, OSC)', '\u009b2K\u0085\u009d', '\\x9b2K\\x85\\x9d'],
    ['bidi embeddings and overrides U+202A-202E', '\u202a\u202b\u202c\u202d\u202e', '\\u{202a}\\u{202b}\\u{202c}\\u{202d}\\u{202e}'],
    ['bidi isolates U+2066-2069', '\u2066\u2067\u2068\u2069', '\\u{2066}\\u{2067}\\u{2068}\\u{2069}'],
    ['other invisible format characters', '\u200b\u200e\u200f\u061c\ufeff\u00ad', '\\u{200b}\\u{200e}\\u{200f}\\u{061c}\\u{feff}\\xad'],
    ['line and paragraph separators', 'a\u2028b\u2029c', 'a\\u{2028}b\\u{2029}c'],
    ['a backslash, so that an escape cannot be faked', 'C:\\x1b', 'C:\\\\x1b'],
  ])('escapes %s', (_, raw, shown) => {
    const escaped = escapeTerminalText(raw);
    expect(escaped).toBe(shown);
    expect(escaped).not.toMatch(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u);
  });

  it('turns a name that reverses its text into one that reads as sent', () => {
    // "Office PC" with a right-to-left override would display "moc.live" as "evil.com" and the like.
    expect(escapeTerminalText('\u202emoc.live\u202c')).toBe('\\u{202e}moc.live\\u{202c}');
  });
});

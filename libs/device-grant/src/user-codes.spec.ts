import { formatUserCode, newUserCode, normaliseUserCode, userCodeHash, USER_CODE_ALPHABET } from './user-codes';

describe('user codes', () => {
  it('are 8 letters of the 20-letter alphabet shown as XXXX-XXXX: at least 34 bits', () => {
    expect(USER_CODE_ALPHABET).toHaveLength(20);
    expect(8 * Math.log2(USER_CODE_ALPHABET.length)).toBeGreaterThanOrEqual(34);
    for (let i = 0; i < 200; i++) expect(newUserCode()).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
  });

  it('use every letter of the alphabet, and no other, about equally often', () => {
    const counts = new Map<string, number>();
    const draws = 2000;
    for (let i = 0; i < draws; i++) {
      for (const letter of newUserCode().replace('-', '')) counts.set(letter, (counts.get(letter) ?? 0) + 1);
    }
    expect([...counts.keys()].sort().join('')).toBe(USER_CODE_ALPHABET);
    const expected = (draws * 8) / 20;
    // 800 expected per letter; a biased draw (e.g. modulo of a byte) would put some letters ~25% above the rest.
    for (const count of counts.values()) expect(Math.abs(count - expected)).toBeLessThan(expected * 0.2);
  });

  it('are read case-insensitively, with or without the dash', () => {
    expect(normaliseUserCode('WDJB-MJHT')).toBe('WDJBMJHT');
    expect(normaliseUserCode('wdjbmjht')).toBe('WDJBMJHT');
    expect(normaliseUserCode(' wdjb-MJHT ')).toBe('WDJBMJHT');
    expect(normaliseUserCode('WDJB MJHT')).toBe('WDJBMJHT');
  });

  it('refuse what cannot be a code', () => {
    for (const input of ['', 'WDJB-MJH', 'WDJB-MJHTX', 'WDJA-MJHT', 'WDJB--MJHT', 'WD-JBMJHT', 'WDJB-MJH1', 'ŴDJB-MJHT']) {
      expect(normaliseUserCode(input)).toBeNull();
    }
  });

  it('format back to the shown form, and hash the same for every way of typing them', () => {
    expect(formatUserCode('WDJBMJHT')).toBe('WDJB-MJHT');
    expect(userCodeHash(normaliseUserCode('wdjb mjht')!)).toBe(userCodeHash(normaliseUserCode('WDJB-MJHT')!));
    expect(userCodeHash('WDJBMJHT')).toMatch(/^[0-9a-f]{64}$/);
  });
});

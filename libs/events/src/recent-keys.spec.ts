import { RecentKeys } from './recent-keys';

describe('RecentKeys', () => {
  it('answers true once per key, then false while the key is remembered', () => {
    const keys = new RecentKeys(1000);
    expect(keys.firstTime('a', 0)).toBe(true);
    expect(keys.firstTime('a', 10)).toBe(false);
    expect(keys.firstTime('b', 20)).toBe(true);
  });

  it('forgets keys older than its window, so memory stays bounded', () => {
    const keys = new RecentKeys(1000);
    for (let i = 0; i < 100; i++) keys.firstTime(`k${i}`, i);
    expect(keys.size).toBe(100);
    expect(keys.firstTime('late', 1050)).toBe(true);
    expect(keys.size).toBe(50); // k0..k50 are forgotten, k51..k99 and "late" remain
    expect(keys.firstTime('k99', 1050)).toBe(false);
  });
});

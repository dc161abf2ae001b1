import { OriginPolicy } from './origin-policy';

describe('OriginPolicy.isForeignPage', () => {
  const policy = new OriginPolicy({ publicUrl: 'https://qr.example', corsOrigins: ['https://partner.example'] });
  const request = (method: string, headers: Record<string, string>) => ({ method, headers: { host: 'qr.example', ...headers } });
  const evil = { origin: 'https://evil.example' };

  it('takes what a page of another origin sends without a preflight for such a page', () => {
    expect(policy.isForeignPage(request('GET', { 'sec-fetch-site': 'cross-site' }))).toBe(true);
    expect(policy.isForeignPage(request('HEAD', { 'sec-fetch-site': 'same-site' }))).toBe(true);
    expect(policy.isForeignPage(request('POST', { ...evil, 'content-type': 'application/x-www-form-urlencoded' }))).toBe(true);
    expect(policy.isForeignPage(request('POST', { ...evil, 'content-type': 'Text/Plain; charset=UTF-8' }))).toBe(true);
    expect(policy.isForeignPage(request('POST', { ...evil, 'content-type': 'multipart/form-data; boundary=x' }))).toBe(true);
    expect(policy.isForeignPage(request('POST', evil))).toBe(true);
  });

  it('does not take for one what a browser would have asked about first, whatever its headers claim', () => {
    expect(policy.isForeignPage(request('POST', { ...evil, 'content-type': 'application/json' }))).toBe(false);
    expect(policy.isForeignPage(request('DELETE', { ...evil, 'sec-fetch-site': 'cross-site' }))).toBe(false);
    expect(policy.isForeignPage(request('PUT', evil))).toBe(false);
  });

  it("does not take for one the service's own pages, allowed origins, or clients that are not browsers", () => {
    expect(policy.isForeignPage(request('GET', { origin: 'https://qr.example', 'sec-fetch-site': 'same-origin' }))).toBe(false);
    expect(policy.isForeignPage(request('POST', { origin: 'https://partner.example', 'content-type': 'text/plain' }))).toBe(false);
    expect(policy.isForeignPage(request('GET', { origin: 'https://partner.example', 'sec-fetch-site': 'cross-site' }))).toBe(false);
    expect(policy.isForeignPage(request('GET', {}))).toBe(false);
    expect(policy.isForeignPage(request('GET', { 'sec-fetch-site': 'none' }))).toBe(false);
  });
});

import { mediaTypeOf, namesCharsetOtherThanUtf8 } from './content-type';

describe('Content-Type', () => {
  it('reads the media type without its parameters, in lower case', () => {
    expect(mediaTypeOf('Application/JSON; charset=utf-8')).toBe('application/json');
    expect(mediaTypeOf('application/x-www-form-urlencoded')).toBe('application/x-www-form-urlencoded');
    expect(mediaTypeOf(undefined)).toBeUndefined();
  });

  it('tells a charset other than UTF-8 from UTF-8 and from none', () => {
    for (const type of ['application/json; charset=latin1', 'application/json; charset="utf-16"', 'text/plain;CHARSET=iso-8859-1']) {
      expect(namesCharsetOtherThanUtf8(type)).toBe(true);
    }
    for (const type of ['application/json', 'application/json; charset=UTF-8', 'application/json; charset="utf8"', undefined]) {
      expect(namesCharsetOtherThanUtf8(type)).toBe(false);
    }
  });
});

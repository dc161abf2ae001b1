/** The media type of a `Content-Type` header, in lower case and without its parameters: `application/json`. */
export function mediaTypeOf(contentType: string | undefined): string | undefined {
  return contentType?.split(';')[0].trim().toLowerCase();
}

/**
 * Whether a `Content-Type` header names a charset other than UTF-8. JSON (RFC 8259) and the OAuth endpoints' forms
 * are UTF-8: bytes of another charset would be read as something else. Naming none means UTF-8.
 */
export function namesCharsetOtherThanUtf8(contentType: string | undefined): boolean {
  const charset = charsetOf(contentType);
  return charset !== undefined && charset !== 'utf-8' && charset !== 'utf8';
}

/** The `charset` parameter of a `Content-Type` header, in lower case; undefined when it names none. */
export function charsetOf(contentType: string | undefined): string | undefined {
  return /;\s*charset=("?)([^";]+)\1/i.exec(contentType ?? '')?.[2].toLowerCase();
}

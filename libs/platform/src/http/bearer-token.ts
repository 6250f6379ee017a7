/**
 * The credentials of an `Authorization: Bearer …` header, or undefined when
 * the header is absent or uses another scheme. The scheme is case-insensitive
 * (RFC 7235 §2.1); the token is one b64token (RFC 6750 §2.1).
 */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header ?? '');
  return match?.[1];
}

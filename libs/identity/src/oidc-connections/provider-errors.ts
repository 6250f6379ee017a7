/** What can be read off an error or one of its causes. */
interface ErrorLike {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly code?: unknown;
  readonly status?: unknown;
  readonly cause?: unknown;
}

/**
 * An error and its causes, outermost first. Errors from fetch may come from
 * another realm (Node's internal undici, a test VM), so they are read by shape,
 * never by `instanceof`.
 */
export function causeChain(error: unknown): ErrorLike[] {
  const chain: ErrorLike[] = [];
  let current: unknown = error;
  while (current !== null && typeof current === 'object' && chain.length < 10) {
    chain.push(current);
    current = (current as ErrorLike).cause;
  }
  return chain;
}

/** Whether the provider could not be reached at all: refused, unresolvable, reset, or silent past a timeout. */
export function isUnreachable(error: unknown): boolean {
  return causeChain(error).some(
    (link) =>
      link.name === 'TimeoutError' ||
      link.name === 'AbortError' ||
      (link.name === 'TypeError' && link.message === 'fetch failed') ||
      (typeof link.code === 'string' && /^(E[A-Z]+|UND_ERR)/.test(link.code)),
  );
}

/** Whether the provider stayed silent past a timeout. */
export function isTimeout(error: unknown): boolean {
  return causeChain(error).some((link) => link.name === 'TimeoutError');
}

/** What a private CA needs, said where it may be the reason. */
const PRIVATE_CA = "a private CA's root certificate can be added with NODE_EXTRA_CA_CERTS";

/**
 * Node's and OpenSSL's TLS error codes, in words an operator can act on
 * (OpenSSL's own texts, such as "unable to verify the first certificate", say little).
 */
const TLS_FAILURES: Readonly<Record<string, string>> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: "the issuer's TLS certificate is not trusted: it is self-signed",
  SELF_SIGNED_CERT_IN_CHAIN: `the issuer's TLS certificate is not trusted: its chain ends in a self-signed root this system does not trust (${PRIVATE_CA})`,
  UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    "the issuer's TLS certificate cannot be verified: the server does not send the intermediate certificates that lead to a trusted authority",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: `the issuer's TLS certificate is not trusted: its authority is not one this system trusts (${PRIVATE_CA})`,
  UNABLE_TO_GET_ISSUER_CERT: `the issuer's TLS certificate is not trusted: the certificate of its authority cannot be found (${PRIVATE_CA})`,
  CERT_UNTRUSTED: "the issuer's TLS certificate is not trusted",
  CERT_REJECTED: "the issuer's TLS certificate is not trusted",
  CERT_SIGNATURE_FAILURE: "the issuer's TLS certificate is not valid: its signature does not verify",
  CERT_HAS_EXPIRED: "the issuer's TLS certificate has expired",
  CERT_NOT_YET_VALID: "the issuer's TLS certificate is not valid yet (or this machine's clock is wrong)",
  CERT_REVOKED: "the issuer's TLS certificate has been revoked",
  ERR_TLS_CERT_ALTNAME_INVALID: "the issuer's TLS certificate is for another host name than the issuer's",
  ERR_SSL_WRONG_VERSION_NUMBER: 'the issuer did not answer in TLS: is it an http:// server?',
  ERR_SSL_UNSUPPORTED_PROTOCOL: 'the issuer offers only TLS versions too old to use',
  ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION: 'the issuer offers only TLS versions too old to use',
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: 'the TLS handshake with the issuer failed: no protocol or cipher in common',
};

/**
 * The TLS failure behind an error, in plain words followed by its code for
 * operators, e.g. "the issuer's TLS certificate is not trusted: it is
 * self-signed (DEPTH_ZERO_SELF_SIGNED_CERT)"; undefined when TLS is not the reason.
 */
export function describeTlsFailure(error: unknown): string | undefined {
  for (const link of causeChain(error)) {
    const code = typeof link.code === 'string' ? link.code : undefined;
    if (code !== undefined && Object.hasOwn(TLS_FAILURES, code)) return `${TLS_FAILURES[code]} (${code})`;
  }
  return undefined;
}

/**
 * A one-line reason for an operator: a TLS failure in plain words, else the
 * error's message with what fetch and openid-client hide in `cause` (a network
 * error such as "connect ECONNREFUSED 127.0.0.1:1", or the HTTP status of an
 * unexpected response).
 */
export function describeProviderError(error: unknown): string {
  const tls = describeTlsFailure(error);
  if (tls !== undefined) return tls;
  const [outer, ...causes] = causeChain(error);
  if (!outer) return String(error);
  const message = typeof outer.message === 'string' ? outer.message : String(error);
  const details: string[] = [];
  for (const cause of causes) {
    if (typeof cause.status === 'number') details.push(`HTTP ${cause.status}`);
    else if (typeof cause.message === 'string' && cause.message !== message && cause.message !== '') {
      details.push(cause.message);
    }
  }
  return details.length > 0 ? `${message} (${details.join(': ')})` : message;
}

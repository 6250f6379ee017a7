/** The TXT record that proves a domain: its name and its exact value. */
export interface TxtRecord {
  readonly name: string;
  readonly value: string;
}

/** Where and what the tenant publishes to prove it holds `domain`. */
export function verificationRecord(domain: string, token: string): TxtRecord {
  return { name: `_gateway-verification.${domain}`, value: `gateway-verification=${token}` };
}

/**
 * Whether the TXT strings found prove the claim. RFC 7208 §3.3 style: one record may be
 * split into several strings of at most 255 octets, which are joined before comparing.
 */
export function provesClaim(records: readonly (readonly string[])[], token: string): boolean {
  const expected = `gateway-verification=${token}`;
  return records.some((chunks) => chunks.join('').trim() === expected);
}

/** How a domain of a tenant stands: set by the operator, claimed and waiting for DNS, or proven. */
export type DomainStatus = 'operator' | 'pending' | 'verified';

/** A domain as the admin API and the setup portal show it. */
export interface DomainView {
  readonly domain: string;
  readonly status: DomainStatus;
  /** The record to publish; null for a domain the operator set (nothing to prove). */
  readonly txtRecord: TxtRecord | null;
  readonly createdAt: string;
  readonly verifiedAt: string | null;
}

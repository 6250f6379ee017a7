/** What the rotation plan needs to know of a stored signing key. */
export interface SigningKeyState {
  readonly kid: string;
  readonly createdAt: Date;
  /** When a successor took over; a retired key only verifies, it no longer signs. */
  readonly retiredAt: Date | null;
}

/** How long keys sign and stay published. */
export interface SigningKeyPolicy {
  /** A key signs for about this long before its successor takes over. */
  readonly rotateAfterMs: number;
  /**
   * A successor is published this long before it signs, so verifiers holding a
   * cached JWKS (ours says `max-age=300`) already know it when its first token arrives.
   */
  readonly prePublishMs: number;
  /** A retired key stays published this long, far beyond the lifetime of the last token it signed. */
  readonly retiredPublishedForMs: number;
}

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

/** Rotate every 30 days, announce the successor an hour ahead, keep a retired key published for a day. */
export const DEFAULT_SIGNING_KEY_POLICY: SigningKeyPolicy = {
  rotateAfterMs: 30 * DAY_MS,
  prePublishMs: HOUR_MS,
  retiredPublishedForMs: DAY_MS,
};

/** What to do with the stored keys at a given moment. */
export interface SigningKeyPlan {
  /** The key that signs now; undefined when there is none yet. */
  readonly signingKid: string | undefined;
  /** Generate a key: there is none, or the signing key is due for a successor. */
  readonly generate: boolean;
  /** Active keys older than the signing key: their successor has taken over. */
  readonly retire: readonly string[];
  /** Retired keys whose publication has ended. */
  readonly remove: readonly string[];
  /** The keys in the JWKS: every active key, and retired keys still in their overlap. */
  readonly published: readonly string[];
}

/**
 * Decides which key signs, which are published, and what rotation is due.
 *
 * The signing key is the newest active key that has been published for
 * `prePublishMs`; when none has (the very first key, or right after an
 * immediate rotation) it is the newest active key, since no verifier can hold a
 * cached JWKS that lacks it.
 */
export function planSigningKeys(keys: readonly SigningKeyState[], now: Date, policy: SigningKeyPolicy): SigningKeyPlan {
  const at = now.getTime();
  const age = (key: SigningKeyState) => at - key.createdAt.getTime();
  const active = keys.filter((key) => key.retiredAt === null).sort(byCreation);
  const announced = active.filter((key) => age(key) >= policy.prePublishMs);
  const signing = announced.at(-1) ?? active.at(-1);
  const newest = active.at(-1);
  const remove = keys.filter(
    (key) => key.retiredAt !== null && at - key.retiredAt.getTime() >= policy.retiredPublishedForMs,
  );
  return {
    signingKid: signing?.kid,
    generate: newest === undefined || age(newest) >= policy.rotateAfterMs - policy.prePublishMs,
    retire: signing === undefined ? [] : active.filter((key) => byCreation(key, signing) < 0).map((key) => key.kid),
    remove: remove.map((key) => key.kid),
    published: keys.filter((key) => !remove.includes(key)).map((key) => key.kid),
  };
}

/** True when the plan changes the stored keys. */
export function planChangesKeys(plan: SigningKeyPlan): boolean {
  return plan.generate || plan.retire.length > 0 || plan.remove.length > 0;
}

/** Refuses a policy under which keys would never sign or tokens would stop verifying early. */
export function assertSigningKeyPolicy(policy: SigningKeyPolicy): void {
  if (policy.prePublishMs < 0 || policy.retiredPublishedForMs < 0 || policy.rotateAfterMs <= policy.prePublishMs) {
    throw new RangeError('signing key policy: rotateAfterMs must exceed prePublishMs, and neither may be negative');
  }
}

function byCreation(a: SigningKeyState, b: SigningKeyState): number {
  return a.createdAt.getTime() - b.createdAt.getTime() || (a.kid < b.kid ? -1 : a.kid > b.kid ? 1 : 0);
}

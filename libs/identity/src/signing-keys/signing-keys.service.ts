import { Inject, Injectable, Logger, OnApplicationBootstrap, Optional } from '@nestjs/common';
import type { CryptoKey, JWK } from 'jose';
import { EntityManager } from 'typeorm';
import { SecretBox } from '../secrets/secret-box';
import { generateSigningKey, importSigningKey } from './signing-key-material';
import { SigningKeyRepository } from './signing-key.repository';
import { SigningKeyRow } from './signing-key.row';
import {
  DEFAULT_SIGNING_KEY_POLICY,
  SigningKeyPolicy,
  assertSigningKeyPolicy,
  planChangesKeys,
  planSigningKeys,
} from './signing-key-rotation';

/** Injection token of the (partial) SigningKeysOptions; tests override it. */
export const SIGNING_KEYS_OPTIONS = Symbol('SIGNING_KEYS_OPTIONS');

/** The rotation policy, plus how the service keeps time and caches. */
export interface SigningKeysOptions extends SigningKeyPolicy {
  /** How long a replica trusts what it last read: how late, at most, it notices another replica's rotation. */
  readonly cacheTtlMs: number;
  readonly now: () => Date;
}

/** The key that signs downstream tokens now, opened and ready to sign. */
export interface ActiveSigningKey {
  readonly kid: string;
  readonly alg: string;
  readonly privateKey: CryptoKey;
}

/**
 * The private JWKs of every published key, the signing key first, for a signer
 * that keeps a keystore of its own (the OpenID Provider). `version` changes
 * whenever the keys or the signing key do.
 */
export interface PrivateKeySet {
  readonly version: string;
  readonly keys: JWK[];
}

/** RFC 7517 §5: a JWK Set, public keys only. */
export interface PublicJwks {
  readonly keys: JWK[];
}

interface KeySnapshot {
  readonly signing: ActiveSigningKey;
  readonly published: JWK[];
  readonly readAt: number;
}

/**
 * Owns the keys that sign downstream tokens: generates the first one, rotates
 * on schedule (announcing the successor before it signs), keeps retired keys
 * published for an overlap, then deletes them. Private keys are stored sealed
 * with SECRETS_KEY (context: the kid).
 *
 * Replicas: every change happens under a PostgreSQL advisory lock after
 * re-reading the keys, so replicas that start together generate one key, not
 * one each. Each replica caches the opened signing key for `cacheTtlMs`, so it
 * follows another replica's rotation within that time; the overlap covers the
 * tokens it signs with the previous key meanwhile.
 */
@Injectable()
export class SigningKeysService implements OnApplicationBootstrap {
  private readonly logger = new Logger(SigningKeysService.name);
  private readonly options: SigningKeysOptions;
  private snapshot: KeySnapshot | undefined;
  private privateSet: PrivateKeySet | undefined;
  private reading: Promise<KeySnapshot> | undefined;
  /** Bumped by `rotate`, so a read that began before it does not cache the replaced key. */
  private generation = 0;

  constructor(
    private readonly repository: SigningKeyRepository,
    private readonly secrets: SecretBox,
    @Optional() @Inject(SIGNING_KEYS_OPTIONS) options: Partial<SigningKeysOptions> = {},
  ) {
    this.options = { ...DEFAULT_SIGNING_KEY_POLICY, cacheTtlMs: 60_000, now: () => new Date(), ...options };
    assertSigningKeyPolicy(this.options);
  }

  /** Makes the first key at boot (and proves SECRETS_KEY opens the stored ones), so sign-ins never wait for it. */
  async onApplicationBootstrap(): Promise<void> {
    await this.activeKey();
  }

  /** The key to sign with now; generates, rotates and prunes first when due. */
  async activeKey(): Promise<ActiveSigningKey> {
    return (await this.current()).signing;
  }

  /** The public keys that verify downstream tokens: the active ones and retired ones still in their overlap. */
  async jwks(): Promise<PublicJwks> {
    return { keys: (await this.current()).published };
  }

  /** The published keys with their private halves, the signing key first; opened again only when they change. */
  async privateKeySet(): Promise<PrivateKeySet> {
    const snapshot = await this.current();
    const others = snapshot.published.map((key) => key.kid!).filter((kid) => kid !== snapshot.signing.kid);
    const version = [snapshot.signing.kid, ...others.sort()].join(',');
    if (this.privateSet?.version === version) return this.privateSet;
    const rows = new Map((await this.repository.list()).map((row) => [row.kid, row]));
    const keys: JWK[] = [];
    for (const kid of version.split(',')) {
      const row = rows.get(kid);
      if (!row) continue;
      const privateJwk = JSON.parse(this.secrets.open(row.privateKeySealed, row.kid)) as JWK;
      keys.push({ ...privateJwk, kid: row.kid, alg: row.alg, use: 'sig' });
    }
    this.privateSet = { version, keys };
    return this.privateSet;
  }

  /**
   * Rotates now, ahead of schedule: a new key signs from this moment, every
   * older key is retired and stays published for the overlap, so tokens already
   * issued keep verifying. (A leaked key needs more: delete its row, so that it
   * leaves the JWKS at once.) Returns the new kid.
   */
  async rotate(): Promise<string> {
    const now = this.options.now();
    const kid = await this.repository.underRotationLock(async (em) => {
      const predecessors = (await this.repository.list(em)).filter((key) => key.retiredAt === null);
      await this.repository.retire(
        em,
        predecessors.map((key) => key.kid),
        now,
      );
      return this.generate(em, now);
    });
    this.generation++;
    this.snapshot = undefined;
    this.reading = undefined;
    this.logger.log(`signing_key.rotated kid=${kid}`);
    return kid;
  }

  private current(): Promise<KeySnapshot> {
    const snapshot = this.snapshot;
    if (snapshot && this.options.now().getTime() - snapshot.readAt < this.options.cacheTtlMs) {
      return Promise.resolve(snapshot);
    }
    // One read at a time per replica, however many requests arrive while it runs.
    const reading = (this.reading ??= this.read().finally(() => {
      if (this.reading === reading) this.reading = undefined;
    }));
    return reading;
  }

  private async read(): Promise<KeySnapshot> {
    const generation = this.generation;
    const now = this.options.now();
    let keys = await this.repository.list();
    if (planChangesKeys(planSigningKeys(keys, now, this.options))) {
      keys = await this.repository.underRotationLock((em) => this.maintain(em, now));
    }
    const plan = planSigningKeys(keys, now, this.options);
    const signing = keys.find((key) => key.kid === plan.signingKid);
    if (!signing) throw new Error('no signing key after generating one');
    const snapshot: KeySnapshot = {
      signing: await this.open(signing),
      published: keys.filter((key) => plan.published.includes(key.kid)).map((key) => key.publicJwk),
      readAt: now.getTime(),
    };
    if (generation === this.generation) this.snapshot = snapshot;
    return snapshot;
  }

  /** Under the rotation lock: plans again (another replica may have just done the work), applies, re-reads. */
  private async maintain(em: EntityManager, now: Date): Promise<SigningKeyRow[]> {
    const plan = planSigningKeys(await this.repository.list(em), now, this.options);
    if (plan.generate) {
      const kid = await this.generate(em, now);
      this.logger.log(`signing_key.generated kid=${kid}`);
    }
    await this.repository.retire(em, plan.retire, now);
    if (plan.retire.length > 0) this.logger.log(`signing_key.retired kids=${plan.retire.join(',')}`);
    await this.repository.delete(em, plan.remove);
    if (plan.remove.length > 0) this.logger.log(`signing_key.removed kids=${plan.remove.join(',')}`);
    return this.repository.list(em);
  }

  private async generate(em: EntityManager, now: Date): Promise<string> {
    const key = await generateSigningKey();
    await this.repository.insert(em, {
      kid: key.kid,
      alg: key.alg,
      publicJwk: key.publicJwk,
      privateKeySealed: this.secrets.seal(JSON.stringify(key.privateJwk), key.kid),
      createdAt: now,
    });
    return key.kid;
  }

  private async open(row: SigningKeyRow): Promise<ActiveSigningKey> {
    if (this.snapshot?.signing.kid === row.kid) return this.snapshot.signing;
    let privateJwk: JWK;
    try {
      privateJwk = JSON.parse(this.secrets.open(row.privateKeySealed, row.kid)) as JWK;
    } catch (error) {
      throw new Error(`signing key ${row.kid} does not open with SECRETS_KEY (was SECRETS_KEY changed?)`, {
        cause: error,
      });
    }
    return { kid: row.kid, alg: row.alg, privateKey: await importSigningKey(privateJwk, row.alg) };
  }
}

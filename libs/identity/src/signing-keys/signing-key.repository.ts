import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { SigningKeyRow } from './signing-key.row';

const COLUMNS = `kid, alg, public_jwk AS "publicJwk", private_key_sealed AS "privateKeySealed",
  created_at AS "createdAt", retired_at AS "retiredAt"`;

// An arbitrary, fixed key (beside the migration and outbox relay locks): held while keys are generated or retired.
const ROTATION_LOCK_KEY = 7_401_955_140;

/** The SQL of signing keys. They belong to the gateway, not to a tenant. */
@Injectable()
export class SigningKeyRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Runs `work` in a transaction holding the rotation lock, so replicas that
   * start or rotate at once change the keys one after another.
   */
  underRotationLock<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (em) => {
      await em.query('SELECT pg_advisory_xact_lock($1)', [ROTATION_LOCK_KEY]);
      return work(em);
    });
  }

  /** Every stored key, oldest first. */
  list(em: EntityManager = this.dataSource.manager): Promise<SigningKeyRow[]> {
    return em.query<SigningKeyRow[]>(`SELECT ${COLUMNS} FROM signing_keys ORDER BY created_at, kid`);
  }

  async insert(em: EntityManager, key: Omit<SigningKeyRow, 'retiredAt'>): Promise<void> {
    await em.query(
      `INSERT INTO signing_keys (kid, alg, public_jwk, private_key_sealed, created_at) VALUES ($1, $2, $3::jsonb, $4, $5)`,
      [key.kid, key.alg, JSON.stringify(key.publicJwk), key.privateKeySealed, key.createdAt],
    );
  }

  /** Stops the keys signing; they stay published until deleted. */
  async retire(em: EntityManager, kids: readonly string[], at: Date): Promise<void> {
    if (kids.length === 0) return;
    await em.query(`UPDATE signing_keys SET retired_at = $2 WHERE kid = ANY($1) AND retired_at IS NULL`, [kids, at]);
  }

  async delete(em: EntityManager, kids: readonly string[]): Promise<void> {
    if (kids.length === 0) return;
    await em.query(`DELETE FROM signing_keys WHERE kid = ANY($1)`, [kids]);
  }
}

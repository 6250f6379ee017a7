import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { transaction } from '../database/transaction';
import { IdentityError } from '../errors/identity-error';
import { TenantsService } from '../tenants/tenants.service';
import { IssueScimTokenInput } from './scim-token.input';
import { ScimTokenEntity } from './scim-token.entity';
import { IssuedScimToken, ScimTokensService } from './scim-tokens.service';
import { generateScimToken } from './token-hasher';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UNIQUE_VIOLATION = '23505';
const ONE_ROTATION_KEY = 'scim_tokens_one_rotation_key';

/** A token issued by a rotation: shown this once, beside the id of the token it replaces. */
export interface RotatedScimToken extends IssuedScimToken {
  readonly replaces: string;
}

/** The two tokens of a rotation once it ended: the one revoked and the one that stays. */
export interface EndedRotation {
  readonly revoked: ScimTokenEntity;
  readonly active: ScimTokenEntity;
}

/**
 * Two-phase rotation of a SCIM token, so that an IdP never holds a dead token: `start`
 * issues a successor that works alongside the old token; `complete` revokes the old
 * one once the IdP uses the new one; `cancel` revokes the new one instead. The state
 * is the successor's `replaces_token_id` (a unique index allows one unrevoked successor
 * per token), so every process and replica sees the same rotation.
 */
@Injectable()
export class ScimTokenRotationService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tenants: TenantsService,
    private readonly tokens: ScimTokensService,
  ) {}

  async start(slug: string, tokenId: string, input: IssueScimTokenInput): Promise<RotatedScimToken> {
    const tenant = await this.tenants.get(slug);
    const generated = generateScimToken();
    try {
      const saved = await transaction(this.dataSource, async (em) => {
        const old = await this.lockUsable(em, tenant.id, tokenId, slug);
        const pending = await this.successor(em, tenant.id, old.id);
        if (pending) {
          throw IdentityError.conflict(
            `a rotation of SCIM token "${old.id}" is already under way (new token "${pending.id}"): complete or cancel it first`,
          );
        }
        if (old.replacesTokenId !== null && (await this.isUnrevoked(em, tenant.id, old.replacesTokenId))) {
          throw IdentityError.conflict(
            `SCIM token "${old.id}" is the new token of an unfinished rotation of "${old.replacesTokenId}": complete or cancel that rotation first`,
          );
        }
        return em.getRepository(ScimTokenEntity).save({
          tenantId: tenant.id,
          tokenHash: generated.hash,
          prefix: generated.displayPrefix,
          expiresAt: input.expiresAt ?? null,
          replacesTokenId: old.id,
        });
      });
      return {
        id: saved.id,
        token: generated.token,
        prefix: saved.prefix,
        createdAt: saved.createdAt,
        expiresAt: saved.expiresAt,
        replaces: tokenId.toLowerCase(),
      };
    } catch (error) {
      // The lock makes this rare; the unique index settles a race the lock cannot see (another replica's insert).
      if (isRotationConflict(error)) {
        throw IdentityError.conflict(`a rotation of SCIM token "${tokenId}" is already under way`);
      }
      throw error;
    }
  }

  /** The IdP uses the new token: the old one is revoked at once, everywhere. */
  complete(slug: string, tokenId: string): Promise<EndedRotation> {
    return this.end(slug, tokenId, 'complete');
  }

  /** The rotation is abandoned: the new token is revoked, the old one keeps working. */
  cancel(slug: string, tokenId: string): Promise<EndedRotation> {
    return this.end(slug, tokenId, 'cancel');
  }

  private async end(slug: string, tokenId: string, how: 'complete' | 'cancel'): Promise<EndedRotation> {
    const tenant = await this.tenants.get(slug);
    const ended = await transaction(this.dataSource, async (em) => {
      const old = await this.lockUnrevoked(em, tenant.id, tokenId, slug);
      const successor = await this.successor(em, tenant.id, old.id);
      if (!successor) throw IdentityError.conflict(`no rotation of SCIM token "${old.id}" is under way`);
      const [revoked, active] = how === 'complete' ? [old, successor] : [successor, old];
      await em.query(`UPDATE scim_tokens SET revoked_at = now() WHERE tenant_id = $1 AND id = $2`, [
        tenant.id,
        revoked.id,
      ]);
      const reread = await em.getRepository(ScimTokenEntity).findOneByOrFail({ tenantId: tenant.id, id: revoked.id });
      return { revoked: reread, active };
    });
    await this.tokens.forgetRevoked();
    return ended;
  }

  /** The token, locked for the transaction, if it is neither revoked nor expired. */
  private async lockUsable(em: EntityManager, tenantId: string, id: string, slug: string): Promise<ScimTokenEntity> {
    const token = await this.lockUnrevoked(em, tenantId, id, slug);
    if (token.expiresAt !== null && token.expiresAt <= new Date()) {
      throw IdentityError.notFound(`SCIM token "${id}" of tenant "${slug}" has expired: issue a new one`);
    }
    return token;
  }

  private async lockUnrevoked(em: EntityManager, tenantId: string, id: string, slug: string): Promise<ScimTokenEntity> {
    const token = UUID.test(id)
      ? await em
          .getRepository(ScimTokenEntity)
          .findOne({ where: { tenantId, id }, lock: { mode: 'pessimistic_write' } })
      : null;
    if (!token || token.revokedAt !== null) {
      throw IdentityError.notFound(`no active SCIM token "${id}" in tenant "${slug}"`);
    }
    return token;
  }

  /** The unrevoked token issued to replace `id`, if a rotation of it is under way. */
  private async successor(em: EntityManager, tenantId: string, id: string): Promise<ScimTokenEntity | null> {
    return em
      .getRepository(ScimTokenEntity)
      .createQueryBuilder('t')
      .where('t.tenant_id = :tenantId AND t.replaces_token_id = :id AND t.revoked_at IS NULL', { tenantId, id })
      .getOne();
  }

  private async isUnrevoked(em: EntityManager, tenantId: string, id: string): Promise<boolean> {
    const rows = await em.query<unknown[]>(
      `SELECT 1 FROM scim_tokens WHERE tenant_id = $1 AND id = $2 AND revoked_at IS NULL`,
      [tenantId, id],
    );
    return rows.length > 0;
  }
}

function isRotationConflict(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driver = error.driverError as { code?: string; constraint?: string };
  return driver.code === UNIQUE_VIOLATION && driver.constraint === ONE_ROTATION_KEY;
}

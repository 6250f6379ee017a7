import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { SetupLinkEntity } from './setup-link.entity';

/** A link just used up, with its tenant as it is now. */
export interface RedeemedSetupLinkRow {
  readonly id: string;
  readonly tenant_id: string;
  readonly slug: string;
  readonly name: string;
  readonly scopes: string[];
  readonly email: string | null;
}

/** The SQL of setup links; the tenant is the first argument wherever one is known. */
@Injectable()
export class SetupLinkRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  insert(
    tenantId: string,
    link: Pick<SetupLinkEntity, 'secretHash' | 'scopes' | 'email' | 'expiresAt' | 'createdBy'>,
  ): Promise<SetupLinkEntity> {
    return this.dataSource.getRepository(SetupLinkEntity).save({ ...link, tenantId });
  }

  /** Newest first. */
  list(tenantId: string): Promise<SetupLinkEntity[]> {
    return this.dataSource.getRepository(SetupLinkEntity).find({ where: { tenantId }, order: { createdAt: 'DESC' } });
  }

  /** Revokes (a second time keeps the first time); false when the tenant has no such link. */
  async revoke(tenantId: string, id: string): Promise<boolean> {
    const [, affected] = await this.dataSource.query<[unknown, number]>(
      `UPDATE setup_links SET revoked_at = COALESCE(revoked_at, now()) WHERE tenant_id = $1 AND id::text = $2`,
      [tenantId, id],
    );
    return affected > 0;
  }

  /**
   * Uses the link up if it still opens, in one statement: of two redemptions at once, one
   * wins and the other finds `used_at` set. Inside `em`'s transaction, so that a failure
   * after it (the portal session not starting) leaves the link unused.
   */
  async redeem(em: EntityManager, secretHash: Buffer): Promise<RedeemedSetupLinkRow | undefined> {
    // TypeORM answers an UPDATE … RETURNING with [rows, affected].
    const [rows] = await em.query<[RedeemedSetupLinkRow[], number]>(
      `UPDATE setup_links l SET used_at = now()
         FROM tenants t
        WHERE t.id = l.tenant_id AND l.secret_hash = $1
          AND l.used_at IS NULL AND l.revoked_at IS NULL AND l.expires_at > now()
        RETURNING l.id, l.tenant_id, t.slug, t.name, l.scopes, l.email`,
      [secretHash],
    );
    return rows[0];
  }

  /** The link a secret names, whatever its state (to say why it does not open). */
  findBySecret(secretHash: Buffer): Promise<SetupLinkEntity | null> {
    return this.dataSource.getRepository(SetupLinkEntity).findOneBy({ secretHash });
  }
}

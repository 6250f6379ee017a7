import { timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { IdentityError } from '../errors/identity-error';
import { TenantsService } from '../tenants/tenants.service';
import { IssueScimTokenInput } from './scim-token.input';
import { ScimTokenEntity } from './scim-token.entity';
import { generateScimToken, hashToken } from './token-hasher';

/** A token as shown right after it is issued: the only time its secret is visible. */
export interface IssuedScimToken {
  readonly id: string;
  readonly token: string;
  readonly prefix: string;
  readonly createdAt: Date;
  readonly expiresAt: Date | null;
}

/** The tenant a valid SCIM token names. */
export interface ScimPrincipal {
  readonly tenantId: string;
  readonly tenantSlug: string;
  readonly tokenId: string;
}

// last_used_at is informational: keeping it to the minute spares a write per request.
const LAST_USED_RESOLUTION_MS = 60_000;

/** Issues, lists, revokes and checks the bearer tokens an IdP uses for SCIM. */
@Injectable()
export class ScimTokensService {
  private readonly lastUsedWrites = new Map<string, number>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tenants: TenantsService,
  ) {}

  async issue(slug: string, input: IssueScimTokenInput): Promise<IssuedScimToken> {
    const tenant = await this.tenants.get(slug);
    const generated = generateScimToken();
    const saved = await this.dataSource.getRepository(ScimTokenEntity).save({
      tenantId: tenant.id,
      tokenHash: generated.hash,
      prefix: generated.displayPrefix,
      expiresAt: input.expiresAt ?? null,
    });
    return {
      id: saved.id,
      token: generated.token,
      prefix: saved.prefix,
      createdAt: saved.createdAt,
      expiresAt: saved.expiresAt,
    };
  }

  async list(slug: string): Promise<ScimTokenEntity[]> {
    const tenant = await this.tenants.get(slug);
    return this.dataSource.getRepository(ScimTokenEntity).find({
      where: { tenantId: tenant.id },
      order: { createdAt: 'ASC' },
    });
  }

  /** Revokes at once: the next request with this token is refused. Revoking twice is harmless. */
  async revoke(slug: string, tokenId: string): Promise<void> {
    const tenant = await this.tenants.get(slug);
    const [, affected] = await this.dataSource.query<[unknown, number]>(
      `UPDATE scim_tokens SET revoked_at = COALESCE(revoked_at, now())
       WHERE tenant_id = $1 AND id::text = $2`,
      [tenant.id, tokenId],
    );
    if (affected === 0) throw IdentityError.notFound(`no SCIM token "${tokenId}" in tenant "${slug}"`);
  }

  /** The tenant the token names, or undefined for an unknown, revoked or expired token. */
  async authenticate(token: string): Promise<ScimPrincipal | undefined> {
    const hash = hashToken(token);
    const rows = await this.dataSource.query<{ token_id: string; token_hash: Buffer; tenant_id: string; slug: string }[]>(
      `SELECT t.id AS token_id, t.token_hash, t.tenant_id, n.slug
         FROM scim_tokens t JOIN tenants n ON n.id = t.tenant_id
        WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())`,
      [hash],
    );
    const row = rows[0];
    // The index lookup already matched; the constant-time check keeps the comparison
    // itself free of early exits should the lookup ever become a prefix scan.
    if (!row || !timingSafeEqual(row.token_hash, hash)) return undefined;
    this.recordUse(row.token_id);
    return { tenantId: row.tenant_id, tenantSlug: row.slug, tokenId: row.token_id };
  }

  private recordUse(tokenId: string): void {
    const now = Date.now();
    if (now - (this.lastUsedWrites.get(tokenId) ?? 0) < LAST_USED_RESOLUTION_MS) return;
    this.lastUsedWrites.set(tokenId, now);
    void this.dataSource
      .query(`UPDATE scim_tokens SET last_used_at = now() WHERE id = $1`, [tokenId])
      .catch(() => this.lastUsedWrites.delete(tokenId));
  }
}

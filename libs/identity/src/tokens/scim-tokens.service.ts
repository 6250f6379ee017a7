import { timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { APP_CONFIG, PgListener, ResolvedConfig } from '@app/platform';
import { DataSource } from 'typeorm';
import { IdentityError } from '../errors/identity-error';
import { TenantsService } from '../tenants/tenants.service';
import { IssueScimTokenInput } from './scim-token.input';
import { ScimTokenEntity } from './scim-token.entity';
import { SCIM_TOKENS_CHANNEL } from './scim-tokens.channel';
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

// Every SCIM request is authenticated; remembering a valid token for a few seconds spares a
// query each time. Only while LISTEN works, so a revocation reaches the cache within milliseconds.
const CACHE_TTL_MS = 5_000;
const CACHE_MAX_ENTRIES = 10_000;

interface CachedToken {
  readonly principal: ScimPrincipal;
  readonly expiresAt: number | null;
  readonly cachedUntil: number;
}

/** Issues, lists, revokes and checks the bearer tokens an IdP uses for SCIM. */
@Injectable()
export class ScimTokensService implements OnModuleInit, OnModuleDestroy {
  private readonly lastUsedWrites = new Map<string, number>();
  private readonly cache = new Map<string, CachedToken>();
  private readonly listener: PgListener;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: ResolvedConfig,
    private readonly tenants: TenantsService,
  ) {
    this.listener = new PgListener(config.databaseUrl, SCIM_TOKENS_CHANNEL, () => this.cache.clear());
  }

  onModuleInit(): void {
    this.listener.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.listener.stop();
  }

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
    await this.forgetRevoked();
  }

  /** After a revocation committed: every process stops accepting the token it remembers. */
  async forgetRevoked(): Promise<void> {
    // This process forgets at once; the others when the notification reaches them, moments later.
    this.cache.clear();
    await this.dataSource.query(`SELECT pg_notify($1, '')`, [SCIM_TOKENS_CHANNEL]);
  }

  /** The tenant the token names, or undefined for an unknown, revoked or expired token. */
  async authenticate(token: string): Promise<ScimPrincipal | undefined> {
    const hash = hashToken(token);
    const key = hash.toString('hex');
    const now = Date.now();
    const cached = this.cache.get(key);
    if (
      cached &&
      this.listener.listening &&
      cached.cachedUntil > now &&
      (cached.expiresAt === null || cached.expiresAt > now)
    ) {
      this.recordUse(cached.principal.tokenId);
      return cached.principal;
    }
    const rows = await this.dataSource.query<
      { token_id: string; token_hash: Buffer; tenant_id: string; slug: string; expires_at: Date | null }[]
    >(
      `SELECT t.id AS token_id, t.token_hash, t.tenant_id, n.slug, t.expires_at
         FROM scim_tokens t JOIN tenants n ON n.id = t.tenant_id
        WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())`,
      [hash],
    );
    const row = rows[0];
    // The index lookup already matched; the constant-time check keeps the comparison
    // itself free of early exits should the lookup ever become a prefix scan.
    if (!row || !timingSafeEqual(row.token_hash, hash)) return undefined;
    this.recordUse(row.token_id);
    const principal = { tenantId: row.tenant_id, tenantSlug: row.slug, tokenId: row.token_id };
    if (this.cache.size >= CACHE_MAX_ENTRIES) this.cache.clear();
    this.cache.set(key, { principal, expiresAt: row.expires_at?.getTime() ?? null, cachedUntil: now + CACHE_TTL_MS });
    return principal;
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

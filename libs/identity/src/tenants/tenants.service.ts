import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, Not, QueryFailedError } from 'typeorm';
import { IdentityError } from '../errors/identity-error';
import { TenantDomainEntity } from './tenant-domain.entity';
import { TenantEntity } from './tenant.entity';
import { SCIM_TOKENS_CHANNEL } from '../tokens/scim-tokens.channel';
import { CreateTenantInput, UpdateTenantInput, isSlug } from './tenant.input';

const UNIQUE_VIOLATION = '23505';

/** Onboards, changes and removes tenants. */
@Injectable()
export class TenantsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async create(input: CreateTenantInput): Promise<TenantEntity> {
    return this.dataSource.transaction(async (em) => {
      if (await em.existsBy(TenantEntity, { slug: input.slug })) {
        throw IdentityError.conflict(`a tenant with slug "${input.slug}" already exists`);
      }
      await this.assertDomainsFree(em, input.domains);
      const tenant = em.create(TenantEntity, {
        slug: input.slug,
        name: input.name,
        signIn: input.signIn,
        domains: input.domains.map((domain) => em.create(TenantDomainEntity, { domain })),
      });
      return this.saveOrConflict(em, tenant, input.slug);
    });
  }

  list(): Promise<TenantEntity[]> {
    return this.dataSource.getRepository(TenantEntity).find({ relations: { domains: true }, order: { slug: 'ASC' } });
  }

  /** The tenant with this slug, or a not_found error. */
  async get(slug: string): Promise<TenantEntity> {
    const tenant = isSlug(slug)
      ? await this.dataSource.getRepository(TenantEntity).findOne({ where: { slug }, relations: { domains: true } })
      : null;
    if (!tenant) throw IdentityError.notFound(`no tenant with slug "${slug}"`);
    return tenant;
  }

  /** The tenant with this id, without its domains; null when there is none. */
  findById(id: string): Promise<TenantEntity | null> {
    return this.dataSource.getRepository(TenantEntity).findOneBy({ id });
  }

  /**
   * The tenant whose users sign in with this email domain, if any: one its operator set,
   * or else one its administrator claimed and proved by DNS (a pending claim routes nothing).
   */
  async findByDomain(domain: string): Promise<TenantEntity | null> {
    const repository = this.dataSource.getRepository(TenantEntity);
    const lower = domain.toLowerCase();
    const byOperator = await repository.findOne({
      where: { domains: { domain: lower } },
      relations: { domains: true },
    });
    if (byOperator) return byOperator;
    const [claim] = await this.dataSource.query<{ tenant_id: string }[]>(
      `SELECT tenant_id FROM customer_domains WHERE domain = $1 AND verified_at IS NOT NULL`,
      [lower],
    );
    return claim ? repository.findOne({ where: { id: claim.tenant_id }, relations: { domains: true } }) : null;
  }

  async update(slug: string, input: UpdateTenantInput): Promise<TenantEntity> {
    return this.dataSource.transaction(async (em) => {
      const tenant = await em.findOne(TenantEntity, {
        where: { slug },
        relations: { domains: true },
        lock: { mode: 'pessimistic_write', tables: ['tenants'] },
      });
      if (!tenant) throw IdentityError.notFound(`no tenant with slug "${slug}"`);
      if (input.name !== undefined) tenant.name = input.name;
      if (input.signIn !== undefined) tenant.signIn = input.signIn;
      if (input.domains !== undefined) {
        await this.assertDomainsFree(em, input.domains, tenant.id);
        await em.delete(TenantDomainEntity, { tenantId: tenant.id });
        tenant.domains = input.domains.map((domain) => em.create(TenantDomainEntity, { domain, tenantId: tenant.id }));
      }
      // Touch updatedAt even when only domains changed.
      tenant.updatedAt = new Date();
      return this.saveOrConflict(em, tenant, slug);
    });
  }

  /** Deletes the tenant and, by cascade, everything it owns. */
  async delete(slug: string): Promise<void> {
    const result = isSlug(slug) ? await this.dataSource.getRepository(TenantEntity).delete({ slug }) : { affected: 0 };
    if (!result.affected) throw IdentityError.notFound(`no tenant with slug "${slug}"`);
    // Its SCIM tokens went with it: processes that remember them must forget them now.
    await this.dataSource.query(`SELECT pg_notify($1, '')`, [SCIM_TOKENS_CHANNEL]);
  }

  private async assertDomainsFree(em: EntityManager, domains: string[], exceptTenantId?: string): Promise<void> {
    if (domains.length === 0) return;
    const taken = await em.find(TenantDomainEntity, {
      where: { domain: In(domains), ...(exceptTenantId ? { tenantId: Not(exceptTenantId) } : {}) },
    });
    // A domain another tenant's administrator proved by DNS is that tenant's too.
    const proven = await em.query<{ domain: string }[]>(
      `SELECT domain FROM customer_domains WHERE domain = ANY($1) AND verified_at IS NOT NULL
          AND ($2::uuid IS NULL OR tenant_id <> $2)`,
      [domains, exceptTenantId ?? null],
    );
    if (taken.length > 0 || proven.length > 0) {
      throw IdentityError.conflict(
        `domain already belongs to another tenant: ${[...taken, ...proven].map((d) => d.domain).join(', ')}`,
      );
    }
  }

  /** Saves, turning a race lost on a unique key (slug or domain) into the same 409 as the pre-check. */
  private async saveOrConflict(em: EntityManager, tenant: TenantEntity, slug: string): Promise<TenantEntity> {
    try {
      return await em.save(TenantEntity, tenant);
    } catch (error) {
      if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === UNIQUE_VIOLATION) {
        throw IdentityError.conflict(`tenant "${slug}" conflicts with another tenant's slug or domain`);
      }
      throw error;
    }
  }
}

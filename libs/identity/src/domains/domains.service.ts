import { randomBytes } from 'node:crypto';
import { Injectable, UnprocessableEntityException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { IdentityError } from '../errors/identity-error';
import { TenantEntity } from '../tenants/tenant.entity';
import { DOMAIN_PATTERN } from '../tenants/tenant.input';
import { TenantsService } from '../tenants/tenants.service';
import { isConsumerDomain } from './consumer-domains';
import { CustomerDomainRepository, CustomerDomainRow } from './customer-domain.repository';
import { DnsTxtLookup } from './dns-txt-lookup';
import { DomainView, provesClaim, verificationRecord } from './domain-claim';
import type { AddDomainInput } from './domain.input';

const UNIQUE_VIOLATION = '23505';
// Enough for any organisation's mail domains; bounds what one portal session can pile up.
const MAX_CLAIMS_PER_TENANT = 100;

/**
 * A tenant's email domains: those its operator set (trusted as they are) and those its
 * administrator claims in the setup portal, which route sign-ins only once a DNS TXT
 * record proves them.
 */
@Injectable()
export class DomainsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tenants: TenantsService,
    private readonly claims: CustomerDomainRepository,
    private readonly dns: DnsTxtLookup,
  ) {}

  /** Operator-set domains first, then claims; a claim of a domain the operator also set shows once, as the operator's. */
  async list(slug: string): Promise<DomainView[]> {
    const tenant = await this.tenants.get(slug);
    const operatorSet = new Set(tenant.domains.map((d) => d.domain));
    const claimed = (await this.claims.list(tenant.id)).filter((row) => !operatorSet.has(row.domain));
    return [...[...operatorSet].sort().map((domain) => operatorView(tenant, domain)), ...claimed.map(claimView)];
  }

  /** Claims a domain for the tenant; it routes nothing until verified. */
  async add(slug: string, input: AddDomainInput): Promise<DomainView> {
    const domain = parseDomain(input.domain);
    if (isConsumerDomain(domain)) {
      throw new UnprocessableEntityException({
        code: 'consumer_domain',
        message: `${domain} is a public mail domain that anyone can sign up for; add your organization's own domain`,
      });
    }
    const tenant = await this.tenants.get(slug);
    if (tenant.domains.some((d) => d.domain === domain)) {
      throw IdentityError.conflict(`${domain} is already one of this organization's domains`);
    }
    return this.dataSource.transaction(async (em) => {
      await this.assertFree(tenant.id, domain, em);
      if ((await this.claims.count(tenant.id, em)) >= MAX_CLAIMS_PER_TENANT) {
        throw new IdentityError('unprocessable', `at most ${MAX_CLAIMS_PER_TENANT} domains can be claimed`);
      }
      const row = await this.claims.insert(em, tenant.id, domain, randomBytes(16).toString('hex'));
      if (!row) throw IdentityError.conflict(`${domain} was already added`);
      return claimView(row);
    });
  }

  /**
   * Looks the TXT record up and, when it proves the claim, marks the domain verified.
   * Anything else is a 422 `not_verified` saying what was found, and changes nothing.
   */
  async verify(slug: string, rawDomain: string): Promise<DomainView> {
    const domain = parseDomain(rawDomain);
    const tenant = await this.tenants.get(slug);
    if (tenant.domains.some((d) => d.domain === domain)) return operatorView(tenant, domain);
    const claim = await this.claims.find(tenant.id, domain);
    if (!claim) throw IdentityError.notFound(`${domain} is not one of this organization's domains`);
    if (claim.verified_at) return claimView(claim);
    const record = verificationRecord(domain, claim.token);
    const answer = await this.dns.txt(record.name);
    if (answer.kind !== 'found' || !provesClaim(answer.records, claim.token)) {
      throw new UnprocessableEntityException({ code: 'not_verified', message: notVerifiedMessage(record, answer) });
    }
    try {
      return await this.dataSource.transaction(async (em) => {
        await this.assertFree(tenant.id, domain, em);
        const row = await this.claims.markVerified(em, tenant.id, domain);
        if (!row) throw IdentityError.notFound(`${domain} was removed while it was being verified`);
        return claimView(row);
      });
    } catch (error) {
      // Two tenants proving the same domain at once: the partial unique index lets one win.
      if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === UNIQUE_VIOLATION) {
        throw IdentityError.conflict(`${domain} belongs to another organization`);
      }
      throw error;
    }
  }

  /** Removes a claim (verified or not); domains the operator set are changed through the tenant. */
  async remove(slug: string, rawDomain: string): Promise<void> {
    const domain = parseDomain(rawDomain);
    const tenant = await this.tenants.get(slug);
    if (tenant.domains.some((d) => d.domain === domain) && !(await this.claims.find(tenant.id, domain))) {
      throw IdentityError.conflict(`${domain} was set by the operator; ask them to remove it`);
    }
    if (!(await this.claims.delete(tenant.id, domain))) {
      throw IdentityError.notFound(`${domain} is not one of this organization's domains`);
    }
  }

  private async assertFree(tenantId: string, domain: string, em: EntityManager): Promise<void> {
    if (await this.claims.heldElsewhere(em, tenantId, domain)) {
      throw IdentityError.conflict(`${domain} belongs to another organization`);
    }
  }
}

/** A domain from a request body or a URL: lowercase, one trailing dot dropped; 400 when it is not a domain name. */
function parseDomain(value: unknown): string {
  const domain = typeof value === 'string' ? value.trim().toLowerCase().replace(/\.$/, '') : '';
  if (!DOMAIN_PATTERN.test(domain)) {
    throw IdentityError.invalid('domain: must be a domain name such as example.com');
  }
  return domain;
}

function notVerifiedMessage(
  record: { name: string; value: string },
  answer: Awaited<ReturnType<DnsTxtLookup['txt']>>,
): string {
  const expected = `expected a TXT record at ${record.name} with the value "${record.value}"`;
  switch (answer.kind) {
    case 'none':
      return `no TXT record was found at ${record.name}; ${expected} (DNS changes can take a while to appear)`;
    case 'failed':
      return `the DNS lookup of ${record.name} failed (${answer.reason}); try again shortly`;
    case 'found': {
      const found = answer.records.map((chunks) => `"${chunks.join('')}"`).join(', ');
      return `found ${found} at ${record.name}, but ${expected}`;
    }
  }
}

function operatorView(tenant: TenantEntity, domain: string): DomainView {
  // Operator-set domains carry no date of their own: the tenant's creation stands in.
  return { domain, status: 'operator', txtRecord: null, createdAt: tenant.createdAt.toISOString(), verifiedAt: null };
}

function claimView(row: CustomerDomainRow): DomainView {
  return {
    domain: row.domain,
    status: row.verified_at ? 'verified' : 'pending',
    txtRecord: verificationRecord(row.domain, row.token),
    createdAt: row.created_at.toISOString(),
    verifiedAt: row.verified_at?.toISOString() ?? null,
  };
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

/** A domain a tenant claimed in its setup portal. */
export interface CustomerDomainRow {
  readonly domain: string;
  readonly token: string;
  readonly created_at: Date;
  readonly verified_at: Date | null;
}

/** Who else holds a domain: an operator-set domain, or a verified claim, of another tenant. */
export interface DomainHolder {
  readonly tenant_id: string;
  readonly how: 'operator' | 'verified';
}

/** The SQL of claimed domains; the tenant is the first argument. */
@Injectable()
export class CustomerDomainRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  list(tenantId: string): Promise<CustomerDomainRow[]> {
    return this.dataSource.query<CustomerDomainRow[]>(
      `SELECT domain, token, created_at, verified_at FROM customer_domains WHERE tenant_id = $1 ORDER BY domain`,
      [tenantId],
    );
  }

  async find(tenantId: string, domain: string, em?: EntityManager): Promise<CustomerDomainRow | undefined> {
    const rows = await (em ?? this.dataSource).query<CustomerDomainRow[]>(
      `SELECT domain, token, created_at, verified_at FROM customer_domains WHERE tenant_id = $1 AND domain = $2`,
      [tenantId, domain],
    );
    return rows[0];
  }

  async count(tenantId: string, em: EntityManager): Promise<number> {
    const [{ count }] = await em.query<{ count: string }[]>(
      `SELECT count(*) AS count FROM customer_domains WHERE tenant_id = $1`,
      [tenantId],
    );
    return Number(count);
  }

  /** The claim as inserted; undefined when the tenant already claimed this domain. */
  async insert(
    em: EntityManager,
    tenantId: string,
    domain: string,
    token: string,
  ): Promise<CustomerDomainRow | undefined> {
    const rows = await em.query<CustomerDomainRow[]>(
      `INSERT INTO customer_domains (tenant_id, domain, token) VALUES ($1, $2, $3)
       ON CONFLICT (tenant_id, domain) DO NOTHING
       RETURNING domain, token, created_at, verified_at`,
      [tenantId, domain, token],
    );
    return rows[0];
  }

  /** Marks the claim verified (the first time only); the row as it is now. */
  async markVerified(em: EntityManager, tenantId: string, domain: string): Promise<CustomerDomainRow | undefined> {
    // TypeORM answers an UPDATE with [rows, affected].
    const [rows] = await em.query<[CustomerDomainRow[], number]>(
      `UPDATE customer_domains SET verified_at = COALESCE(verified_at, now())
        WHERE tenant_id = $1 AND domain = $2
        RETURNING domain, token, created_at, verified_at`,
      [tenantId, domain],
    );
    return rows[0];
  }

  async delete(tenantId: string, domain: string): Promise<boolean> {
    const [, affected] = await this.dataSource.query<[unknown, number]>(
      `DELETE FROM customer_domains WHERE tenant_id = $1 AND domain = $2`,
      [tenantId, domain],
    );
    return affected > 0;
  }

  /** Another tenant that holds `domain`: set by its operator, or claimed and verified. */
  async heldElsewhere(em: EntityManager, tenantId: string, domain: string): Promise<DomainHolder | undefined> {
    const rows = await em.query<DomainHolder[]>(
      `SELECT tenant_id, 'operator' AS how FROM tenant_domains WHERE domain = $2 AND tenant_id <> $1
       UNION ALL
       SELECT tenant_id, 'verified' AS how FROM customer_domains
        WHERE domain = $2 AND tenant_id <> $1 AND verified_at IS NOT NULL
       LIMIT 1`,
      [tenantId, domain],
    );
    return rows[0];
  }
}

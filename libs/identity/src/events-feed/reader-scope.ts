import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { IdentityError } from '../errors/identity-error';

/** Which tenants a product may read: slugs, or `['*']` for every tenant (its registration's `tenants`). */
export interface ReaderAccess {
  /** The client id, for metrics and messages. */
  readonly clientId: string;
  readonly tenants: readonly string[];
}

/** The tenants one read covers: `undefined` ids mean every tenant. */
export interface ReadScope {
  readonly tenantIds: string[] | undefined;
}

/** Turns a product's access and the `tenant` it asked for into the tenants a read covers. */
@Injectable()
export class ReaderScopes {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * With `tenant`: that tenant, if the product may read it (403 otherwise, 404 if
   * there is no such tenant). Without: every tenant the product may read.
   */
  async resolve(access: ReaderAccess, tenant: string | undefined): Promise<ReadScope> {
    const everyTenant = access.tenants.includes('*');
    if (tenant !== undefined) {
      if (!everyTenant && !access.tenants.includes(tenant)) {
        throw new IdentityError('forbidden', `this client may not read tenant "${tenant}"`);
      }
      const rows = await this.dataSource.query<{ id: string }[]>(`SELECT id FROM tenants WHERE slug = $1`, [tenant]);
      if (rows.length === 0) throw IdentityError.notFound(`no tenant with slug "${tenant}"`);
      return { tenantIds: [rows[0].id] };
    }
    if (everyTenant) return { tenantIds: undefined };
    const rows = await this.dataSource.query<{ id: string }[]>(`SELECT id FROM tenants WHERE slug = ANY($1::text[])`, [
      access.tenants,
    ]);
    return { tenantIds: rows.map((row) => row.id) };
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AccessService } from '@app/identity/access/access.service';
import { DataSource } from 'typeorm';
import { ProductClaims, productClaims } from './product-claims';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A user as the OpenID Provider sees them: their claims now, and whether they may still use a product. */
export interface ProductAccount {
  readonly tenantSlug: string;
  readonly active: boolean;
  readonly claims: ProductClaims;
}

/** Finds a user by the gateway's user id (the `sub` products know), read fresh each time. */
@Injectable()
export class ProductAccounts {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly access: AccessService,
  ) {}

  async find(userId: string): Promise<ProductAccount | undefined> {
    if (!UUID.test(userId)) return undefined;
    const [tenant] = await this.dataSource.query<{ id: string; slug: string }[]>(
      `SELECT t.id, t.slug FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE u.id = $1`,
      [userId],
    );
    if (!tenant) return undefined;
    const row = await this.access.userWithAccess(tenant.id, userId);
    if (!row) return undefined;
    return { tenantSlug: tenant.slug, active: row.active, claims: productClaims(row, tenant) };
  }
}

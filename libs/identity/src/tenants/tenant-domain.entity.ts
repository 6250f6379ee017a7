import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { TenantEntity } from './tenant.entity';

@Entity('tenant_domains')
export class TenantDomainEntity {
  @PrimaryColumn({ type: 'text' })
  domain!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @ManyToOne('TenantEntity', 'domains', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id' })
  tenant!: TenantEntity;
}

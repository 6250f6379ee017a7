import { Column, CreateDateColumn, Entity, OneToMany, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { TenantDomainEntity } from './tenant-domain.entity';

/** Whether a person unknown to SCIM may sign in (created just in time, with no roles) or is refused. */
export type SignInPolicy = 'jit' | 'provisioned-only';

@Entity('tenants')
export class TenantEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  slug!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ name: 'sign_in', type: 'text' })
  signIn!: SignInPolicy;

  @OneToMany(() => TenantDomainEntity, (domain) => domain.tenant, { cascade: true })
  domains!: TenantDomainEntity[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

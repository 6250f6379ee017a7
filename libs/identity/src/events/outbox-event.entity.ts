import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { IdentityEvent } from './identity-event';

/** One committed lifecycle event waiting for (or done with) publication. */
@Entity('outbox_events')
export class OutboxEventEntity {
  /** Insertion order; the relay publishes in this order. */
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  position!: string;

  @Column({ type: 'uuid' })
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ type: 'text' })
  type!: string;

  @Column({ name: 'subject_type', type: 'text' })
  subjectType!: string;

  @Column({ name: 'subject_id', type: 'text' })
  subjectId!: string;

  @Column({ type: 'bigint' })
  sequence!: string;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;

  /** The event exactly as subscribers receive it. */
  @Column({ type: 'jsonb' })
  payload!: IdentityEvent;

  @Column({ name: 'published_at', type: 'timestamptz', nullable: true })
  publishedAt!: Date | null;
}

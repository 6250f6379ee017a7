import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { IdentityEvent, NewIdentityEvent } from './identity-event';

/** The PostgreSQL channel notified when outbox rows commit, so the relay wakes at once. */
export const OUTBOX_CHANNEL = 'outbox_events';

/**
 * Records lifecycle events in the transaction of the change they describe, so
 * an event exists exactly when its change committed.
 */
@Injectable()
export class OutboxService {
  /** Appends one event inside the caller's transaction (`em` must be transactional). */
  async append(em: EntityManager, event: NewIdentityEvent): Promise<IdentityEvent> {
    // The upsert row-locks the subject until commit, so concurrent changes of one
    // subject get gap-free, commit-ordered sequence numbers.
    const [{ last_sequence: sequence }] = await em.query<[{ last_sequence: string }]>(
      `INSERT INTO outbox_subject_sequences (subject_type, subject_id, last_sequence)
       VALUES ($1, $2, 1)
       ON CONFLICT (subject_type, subject_id)
       DO UPDATE SET last_sequence = outbox_subject_sequences.last_sequence + 1
       RETURNING last_sequence`,
      [event.subject.type, event.subject.id],
    );
    const recorded: IdentityEvent = {
      id: randomUUID(),
      type: event.type,
      occurredAt: new Date().toISOString(),
      tenant: event.tenant,
      subject: event.subject,
      sequence: Number(sequence),
      data: event.data,
    };
    await em.query(
      `INSERT INTO outbox_events (id, tenant_id, type, subject_type, subject_id, sequence, occurred_at, payload)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        recorded.id,
        recorded.tenant.id,
        recorded.type,
        recorded.subject.type,
        recorded.subject.id,
        recorded.sequence,
        recorded.occurredAt,
        JSON.stringify(recorded),
      ],
    );
    // NOTIFY is delivered at commit and dropped on rollback: exactly the rows that exist.
    await em.query(`SELECT pg_notify($1, '')`, [OUTBOX_CHANNEL]);
    return recorded;
  }
}

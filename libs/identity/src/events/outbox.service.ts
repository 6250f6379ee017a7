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
    const [recorded] = await this.appendMany(em, [event]);
    return recorded;
  }

  /**
   * Appends events of one subject in order, in one round trip each for the
   * sequence and the rows: a PATCH adding 100 members to a group writes 100 events.
   */
  async appendMany(em: EntityManager, events: readonly NewIdentityEvent[]): Promise<IdentityEvent[]> {
    const subject = events[0]?.subject;
    if (!subject) return [];
    if (events.some((event) => event.subject.type !== subject.type || event.subject.id !== subject.id)) {
      throw new Error('appendMany takes the events of one subject');
    }
    // The upsert row-locks the subject until commit, so concurrent changes of one
    // subject get gap-free, commit-ordered sequence numbers.
    const [{ last_sequence: last }] = await em.query<[{ last_sequence: string }]>(
      `INSERT INTO outbox_subject_sequences (subject_type, subject_id, last_sequence)
       VALUES ($1, $2, $3)
       ON CONFLICT (subject_type, subject_id)
       DO UPDATE SET last_sequence = outbox_subject_sequences.last_sequence + $3
       RETURNING last_sequence`,
      [subject.type, subject.id, events.length],
    );
    const first = Number(last) - events.length + 1;
    const occurredAt = new Date().toISOString();
    const recorded: IdentityEvent[] = events.map((event, index) => ({
      id: randomUUID(),
      type: event.type,
      occurredAt,
      tenant: event.tenant,
      subject,
      sequence: first + index,
      data: event.data,
    }));
    await em.query(
      `INSERT INTO outbox_events (id, tenant_id, type, subject_type, subject_id, sequence, occurred_at, payload)
       SELECT e.id, e.tenant_id, e.type, $1, $2, e.sequence, e.occurred_at, e.payload
         FROM jsonb_to_recordset($3::jsonb)
           AS e(id uuid, tenant_id uuid, type text, sequence bigint, occurred_at timestamptz, payload jsonb)
        ORDER BY e.sequence`,
      [
        subject.type,
        subject.id,
        JSON.stringify(
          recorded.map((event) => ({
            id: event.id,
            tenant_id: event.tenant.id,
            type: event.type,
            sequence: event.sequence,
            occurred_at: event.occurredAt,
            payload: event,
          })),
        ),
      ],
    );
    // NOTIFY is delivered at commit and dropped on rollback: exactly the rows that exist.
    await em.query(`SELECT pg_notify($1, '')`, [OUTBOX_CHANNEL]);
    return recorded;
  }
}

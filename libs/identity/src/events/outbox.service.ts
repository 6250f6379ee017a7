import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { runStatement } from '../scim/storage/prepared-statements';
import { IdentityEvent, NewIdentityEvent } from './identity-event';
import { TYPES_WITH_PREVIOUS } from './previous-values';
import { RelayWakeUp } from './relay-wake-up';

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
    if (events.length === 0) return [];
    const append = this.appendStatement(events, 1, new Date().toISOString());
    // A named prepared statement (runStatement): its text never changes, so PostgreSQL plans it once per connection.
    const [{ base }] = await runStatement<{ base: string }>(
      em,
      `WITH ${append.ctes} SELECT next.base FROM next`,
      append.values,
    );
    append.wakeRelayAfter(em);
    return append.recorded(base);
  }

  /**
   * The SQL that appends `events` (of one subject, in order) inside another statement, so that a change and
   * its events commit as one statement with no transaction around it: `ctes` (named `next` and `stored`) go
   * after the change's own in `WITH`, with a final `SELECT … FROM next`, and `values` are the parameters from
   * `$firstParam` on. `occurredAt` is the change's time. Either the whole statement commits, change and events
   * alike, or nothing does; once it has run, `wakeRelayAfter` wakes the relay.
   */
  appendStatement(events: readonly NewIdentityEvent[], firstParam: number, occurredAt: string): OutboxAppend {
    const subject = events[0]?.subject;
    if (!subject) throw new Error('appendStatement takes at least one event');
    if (events.some((event) => event.subject.type !== subject.type || event.subject.id !== subject.id)) {
      throw new Error('the outbox appends the events of one subject at a time');
    }
    const drafts = events.map((event, index) => ({
      id: randomUUID(),
      type: event.type,
      occurredAt,
      tenant: event.tenant,
      subject,
      offset: index + 1,
      data: event.data,
      ...(event.previous !== undefined && TYPES_WITH_PREVIOUS.has(event.type) ? { previous: event.previous } : {}),
    }));
    const $ = (n: number): string => `$${firstParam + n - 1}`;
    // The sequence upsert row-locks the subject until commit, so concurrent changes of one subject get
    // gap-free, commit-ordered numbers; the payload gets its number written in.
    return {
      ctes: `next AS (
         INSERT INTO outbox_subject_sequences (subject_type, subject_id, last_sequence)
         VALUES (${$(1)}, ${$(2)}, ${$(3)})
         ON CONFLICT (subject_type, subject_id)
         DO UPDATE SET last_sequence = outbox_subject_sequences.last_sequence + ${$(3)}
         RETURNING last_sequence - ${$(3)} AS base
       ), stored AS (
         INSERT INTO outbox_events (id, tenant_id, type, subject_type, subject_id, sequence, occurred_at, payload)
         SELECT e.id, e.tenant_id, e.type, ${$(1)}, ${$(2)}, next.base + e.offset, e.occurred_at,
                jsonb_set(e.payload, '{sequence}', to_jsonb(next.base + e.offset))
           FROM next, jsonb_to_recordset(${$(4)}::jsonb)
             AS e(id uuid, tenant_id uuid, type text, "offset" bigint, occurred_at timestamptz, payload jsonb)
          ORDER BY e.offset
       )`,
      values: [
        subject.type,
        subject.id,
        events.length,
        JSON.stringify(
          drafts.map(({ offset, ...event }) => ({
            id: event.id,
            tenant_id: event.tenant.id,
            type: event.type,
            offset,
            occurred_at: event.occurredAt,
            payload: { ...event, sequence: 0 },
          })),
        ),
      ],
      wakeRelayAfter: (em) => RelayWakeUp.of(em.connection).afterAppend(em),
      recorded: (base) => drafts.map(({ offset, ...event }) => ({ ...event, sequence: Number(base) + offset })),
    };
  }
}

/** Events appended inside another statement (see OutboxService.appendStatement). */
export interface OutboxAppend {
  /** The `next` and `stored` common table expressions, for after the change's own in `WITH`. */
  readonly ctes: string;
  /** The parameters the CTEs name, from `firstParam` on. */
  readonly values: readonly unknown[];
  /**
   * Wakes the relay once the rows written through `em` are committed: when its transaction commits, or at once
   * for a statement run outside a transaction (see RelayWakeUp).
   */
  readonly wakeRelayAfter: (em: EntityManager) => void;
  /** The events as recorded, once `next.base` (the subject's sequence before them) is known. */
  readonly recorded: (base: string | number) => IdentityEvent[];
}

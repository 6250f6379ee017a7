import { IdentityEvent } from '@app/identity/events/identity-event';

/**
 * The event as JSON, in the documented field order (jsonb keeps its own key
 * order, which would make bodies harder to read; the content is the same).
 */
export function eventBody(event: IdentityEvent): string {
  return JSON.stringify({
    id: event.id,
    type: event.type,
    occurredAt: event.occurredAt,
    tenant: { id: event.tenant.id, slug: event.tenant.slug },
    subject: { type: event.subject.type, id: event.subject.id },
    sequence: event.sequence,
    data: event.data,
    // On *.updated events only; events stored before it existed lack it.
    ...(event.previous === undefined ? {} : { previous: event.previous }),
  });
}

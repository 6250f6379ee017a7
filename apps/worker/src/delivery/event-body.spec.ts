import type { IdentityEvent } from '@app/identity/events/identity-event';
import { eventBody } from './event-body';

describe('eventBody', () => {
  const event: IdentityEvent = {
    id: 'e1',
    type: 'user.updated',
    occurredAt: '2026-01-01T00:00:00.000Z',
    tenant: { id: 't1', slug: 'acme' },
    subject: { type: 'user', id: 'u1' },
    sequence: 2,
    data: { id: 'u1', title: 'Lead' },
  };

  it('writes the documented fields in order', () => {
    expect(Object.keys(JSON.parse(eventBody(event)) as object)).toEqual([
      'id',
      'type',
      'occurredAt',
      'tenant',
      'subject',
      'sequence',
      'data',
    ]);
  });

  it('carries previous when the event has it, after data', () => {
    const body = JSON.parse(eventBody({ ...event, previous: { title: null } })) as Record<string, unknown>;
    expect(Object.keys(body).slice(-2)).toEqual(['data', 'previous']);
    expect(body['previous']).toEqual({ title: null });
  });
});

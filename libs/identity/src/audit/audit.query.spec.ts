import { auditQuery, tenantAuditQuery } from './audit.query';
import { scimRequestsQuery } from '../request-log/request-log.query';

describe('audit and request log queries', () => {
  it('defaults the page size and reads filters', () => {
    expect(auditQuery.parse({})).toEqual({ limit: 50 });
    expect(auditQuery.parse({ tenant: 'acme', actor: 'user:u-1', after: '42', limit: '10' })).toEqual({
      tenant: 'acme',
      actor: { type: 'user', id: 'u-1' },
      after: '42',
      limit: 10,
    });
    expect(tenantAuditQuery.parse({ actor: '3f9a' })).toEqual({ limit: 50, actor: { type: undefined, id: '3f9a' } });
    expect(auditQuery.parse({ actor: 'setup_link:abc' }).actor).toEqual({ type: 'setup_link', id: 'abc' });
  });

  it.each([
    ['a cursor that is no id', { after: 'abc' }],
    ['a zero cursor', { after: '0' }],
    ['a negative cursor', { after: '-1' }],
    ['a limit of 0', { limit: '0' }],
    ['a limit over 200', { limit: '201' }],
    ['a fractional limit', { limit: '1.5' }],
    ['an unknown actor type', { actor: 'robot:1' }],
    ['an actor type without id', { actor: 'user:' }],
    ['an empty actor', { actor: '' }],
    ['a tenant that is no slug', { tenant: 'Acme Corp' }],
    ['an unknown parameter', { since: '2026-01-01' }],
    ['a repeated parameter', { tenant: ['a', 'b'] }],
  ])('refuses %s', (_name, query) => {
    expect(auditQuery.safeParse(query).success).toBe(false);
  });

  it('reads a status code or a class', () => {
    expect(scimRequestsQuery.parse({ status: '409' }).status).toEqual({ min: 409, max: 409 });
    expect(scimRequestsQuery.parse({ status: '4xx' }).status).toEqual({ min: 400, max: 499 });
    for (const status of ['600', '4x', 'error', '40', '4XX']) {
      expect(scimRequestsQuery.safeParse({ status }).success).toBe(false);
    }
    expect(scimRequestsQuery.safeParse({ tenant: 'acme' }).success).toBe(false);
  });
});

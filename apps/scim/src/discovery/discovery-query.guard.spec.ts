import { ExecutionContext } from '@nestjs/common';
import { DiscoveryQueryGuard } from './discovery-query.guard';

describe('DiscoveryQueryGuard', () => {
  const guard = new DiscoveryQueryGuard();
  const contextOf = (query: unknown): ExecutionContext =>
    ({ switchToHttp: () => ({ getRequest: () => ({ query }) }) }) as unknown as ExecutionContext;

  it.each([[{}], [undefined], [{ startIndex: '2', count: '1', sortBy: 'id' }]])(
    'admits %p (RFC 7644 §4: ignored)',
    (query) => {
      expect(guard.canActivate(contextOf(query))).toBe(true);
    },
  );

  it.each([[{ filter: 'id eq "x"' }], [{ filter: '' }]])('refuses %p with a 403 ScimError', (query) => {
    expect(() => guard.canActivate(contextOf(query))).toThrow(expect.objectContaining({ status: 403 }));
  });
});

import { MetricsRegistry } from '@app/platform';
import { TenantsService } from '../tenants/tenants.service';
import { RequestLogRepository } from './request-log.repository';
import type { SignInFailureRecord } from './request-log.rows';
import { RequestLogService } from './request-log.service';

describe('RequestLogService: refused sign-ins of products', () => {
  const failure: SignInFailureRecord = {
    tenantId: 't-1',
    occurredAt: new Date('2026-01-01T00:00:00Z'),
    status: 403,
    reason: 'Your account is deactivated.',
    detail: null,
    ip: '203.0.113.7',
    userAgent: null,
  };
  const returnTo = 'https://gw.example/oidc/interaction/abc';

  const setup = () => {
    const inserted: SignInFailureRecord[] = [];
    const repository = {
      insertSignInFailures: jest.fn((rows: SignInFailureRecord[]) => {
        inserted.push(...rows);
        return Promise.resolve();
      }),
      insertScimRequests: jest.fn().mockResolvedValue(undefined),
    };
    const service = new RequestLogService(
      repository as unknown as RequestLogRepository,
      {} as TenantsService,
      new MetricsRegistry(),
    );
    return { service, inserted };
  };

  it('stores a sign-in that was not for a product as it is', async () => {
    const { service, inserted } = setup();
    const productOf = jest.fn();
    service.findProductsWith(productOf);
    service.recordSignInFailure(failure);
    await service.flush();
    expect(inserted).toEqual([failure]);
    expect(productOf).not.toHaveBeenCalled();
    await service.onApplicationShutdown();
  });

  it('names the product a sign-in returned to, and a flush waits for the lookup', async () => {
    const { service, inserted } = setup();
    service.findProductsWith((url) => Promise.resolve(url === returnTo ? 'wiki-client' : undefined));
    service.recordSignInFailure({ ...failure, returnTo });
    service.recordSignInFailure({ ...failure, returnTo: 'https://gw.example/oidc/interaction/over' });
    await service.flush();
    expect(inserted).toEqual([
      { ...failure, clientId: 'wiki-client' },
      { ...failure, clientId: null },
    ]);
    await service.onApplicationShutdown();
  });

  it('keeps the failure without a product when the lookup fails, or when no app looks products up', async () => {
    const { service, inserted } = setup();
    service.recordSignInFailure({ ...failure, returnTo });
    service.findProductsWith(() => Promise.reject(new Error('Redis is away')));
    service.recordSignInFailure({ ...failure, returnTo });
    await service.flush();
    expect(inserted).toEqual([failure, failure]);
    await service.onApplicationShutdown();
  });
});

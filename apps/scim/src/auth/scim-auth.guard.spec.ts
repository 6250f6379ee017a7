import { ExecutionContext } from '@nestjs/common';
import { ScimPrincipal, ScimTokensService } from '@app/identity';
import { ScimError } from '@app/identity/scim/errors';
import type { RateLimits, Verdict } from '@app/platform';
import type { TenantTurns } from '../tenant-limits/tenant-turns';
import { AuthenticatedRequest } from './authenticated-request';
import { ScimAuthGuard } from './scim-auth.guard';

const PRINCIPAL: ScimPrincipal = { tenantId: 't-1', tenantSlug: 'acme', tokenId: 'k-1' };
const VALID = 'gws_valid-token';

describe('ScimAuthGuard', () => {
  const authenticate = jest.fn((token: string) => Promise.resolve(token === VALID ? PRINCIPAL : undefined));
  const allowed: Verdict = { allowed: true, retryAfterMs: 0 };
  const failedAuthentication = jest.fn((_request: unknown) => Promise.resolve(allowed));
  const paceScimToken = jest.fn((_tokenId: string) => Promise.resolve(allowed));
  const take = jest.fn((_request: unknown, _reply: unknown, _principal: ScimPrincipal) => Promise.resolve());
  const guard = new ScimAuthGuard(
    { authenticate } as unknown as ScimTokensService,
    {
      failedAuthentication,
      paceScimToken,
    } as unknown as RateLimits,
    { take } as unknown as TenantTurns,
  );
  const header = jest.fn();

  const requestWith = (authorization: string | undefined, routeUrl = '/scim/v2/Users'): AuthenticatedRequest =>
    ({
      url: routeUrl,
      ip: '203.0.113.9',
      routeOptions: { url: routeUrl },
      headers: authorization === undefined ? {} : { authorization },
    }) as unknown as AuthenticatedRequest;
  const contextOf = (request: AuthenticatedRequest): ExecutionContext =>
    ({
      switchToHttp: () => ({ getRequest: () => request, getResponse: () => ({ header }) }),
    }) as unknown as ExecutionContext;

  beforeEach(() => {
    jest.clearAllMocks();
    failedAuthentication.mockImplementation(() => Promise.resolve(allowed));
    paceScimToken.mockImplementation(() => Promise.resolve(allowed));
  });

  it('attaches the principal of a valid token', async () => {
    const request = requestWith(`Bearer ${VALID}`);
    await expect(guard.canActivate(contextOf(request))).resolves.toBe(true);
    expect(request.scimPrincipal).toEqual(PRINCIPAL);
    expect(authenticate).toHaveBeenCalledWith(VALID);
    // …and the request then waits for its tenant's turn.
    expect(take).toHaveBeenCalledWith(request, expect.anything(), PRINCIPAL);
  });

  it.each([
    ['no header', undefined],
    ['another scheme', 'Basic YTpi'],
    ['an empty bearer', 'Bearer '],
  ])('refuses %s with a 401 ScimError, without a database lookup', async (_case, header) => {
    const request = requestWith(header);
    await expect(guard.canActivate(contextOf(request))).rejects.toMatchObject({ status: 401, scimType: undefined });
    await expect(guard.canActivate(contextOf(request))).rejects.toBeInstanceOf(ScimError);
    expect(authenticate).not.toHaveBeenCalled();
    expect(request.scimPrincipal).toBeUndefined();
  });

  it('refuses a token the service does not accept (unknown, revoked or expired)', async () => {
    const request = requestWith('Bearer gws_other');
    await expect(guard.canActivate(contextOf(request))).rejects.toMatchObject({
      status: 401,
      detail: 'the bearer token is not valid',
    });
    expect(request.scimPrincipal).toBeUndefined();
  });

  it.each(['/health/live', '/health/ready', '/metrics'])('lets the probe %s through without a token', async (route) => {
    await expect(guard.canActivate(contextOf(requestWith(undefined, route)))).resolves.toBe(true);
    expect(authenticate).not.toHaveBeenCalled();
  });

  it('counts a wrong token against its address, and answers 429 with Retry-After once over the limit', async () => {
    await expect(guard.canActivate(contextOf(requestWith('Bearer gws_other')))).rejects.toMatchObject({ status: 401 });
    expect(failedAuthentication).toHaveBeenCalledWith(expect.objectContaining({ ip: '203.0.113.9' }));
    failedAuthentication.mockImplementation(() => Promise.resolve({ allowed: false, retryAfterMs: 4200 }));
    await expect(guard.canActivate(contextOf(requestWith('Bearer gws_other')))).rejects.toMatchObject({
      status: 429,
    });
    expect(header).toHaveBeenCalledWith('retry-after', '5');
  });

  it('lets a valid token through whatever failed from its address, paced by its own token', async () => {
    failedAuthentication.mockImplementation(() => Promise.resolve({ allowed: false, retryAfterMs: 60_000 }));
    await expect(guard.canActivate(contextOf(requestWith(`Bearer ${VALID}`)))).resolves.toBe(true);
    expect(failedAuthentication).not.toHaveBeenCalled();
    expect(paceScimToken).toHaveBeenCalledWith('k-1');
  });

  it('answers 429 with Retry-After when the token finds no room in time', async () => {
    paceScimToken.mockImplementation(() => Promise.resolve({ allowed: false, retryAfterMs: 300 }));
    await expect(guard.canActivate(contextOf(requestWith(`Bearer ${VALID}`)))).rejects.toMatchObject({ status: 429 });
    expect(header).toHaveBeenCalledWith('retry-after', '1');
  });
});

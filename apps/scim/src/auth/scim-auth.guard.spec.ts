import { ExecutionContext } from '@nestjs/common';
import { ScimPrincipal, ScimTokensService } from '@app/identity';
import { ScimError } from '@app/identity/scim/errors';
import { AuthenticatedRequest } from './authenticated-request';
import { ScimAuthGuard } from './scim-auth.guard';

const PRINCIPAL: ScimPrincipal = { tenantId: 't-1', tenantSlug: 'acme', tokenId: 'k-1' };
const VALID = 'gws_valid-token';

describe('ScimAuthGuard', () => {
  const authenticate = jest.fn((token: string) => Promise.resolve(token === VALID ? PRINCIPAL : undefined));
  const guard = new ScimAuthGuard({ authenticate } as unknown as ScimTokensService);

  const requestWith = (authorization: string | undefined, routeUrl = '/scim/v2/Users'): AuthenticatedRequest =>
    ({
      url: routeUrl,
      routeOptions: { url: routeUrl },
      headers: authorization === undefined ? {} : { authorization },
    }) as unknown as AuthenticatedRequest;
  const contextOf = (request: AuthenticatedRequest): ExecutionContext =>
    ({ switchToHttp: () => ({ getRequest: () => request }) }) as unknown as ExecutionContext;

  beforeEach(() => authenticate.mockClear());

  it('attaches the principal of a valid token', async () => {
    const request = requestWith(`Bearer ${VALID}`);
    await expect(guard.canActivate(contextOf(request))).resolves.toBe(true);
    expect(request.scimPrincipal).toEqual(PRINCIPAL);
    expect(authenticate).toHaveBeenCalledWith(VALID);
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
});

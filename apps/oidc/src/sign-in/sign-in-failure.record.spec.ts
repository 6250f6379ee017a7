import { signInFailureRecord } from './sign-in-failure.record';
import type { SignInRequest } from './sign-in-request';

const now = new Date('2026-01-01T00:00:00Z');
const request = (extra: Partial<SignInRequest>): SignInRequest =>
  ({ headers: { 'user-agent': 'Mozilla/5.0' }, ip: '203.0.113.7', ...extra }) as SignInRequest;
const attempt = { signIn: { attempt: { tenantId: 't-1' } } } as unknown as Partial<SignInRequest>;

describe('signInFailureRecord', () => {
  it("records a failure of a known attempt with what the person was told and the cause's reason", () => {
    expect(
      signInFailureRecord(request(attempt), { status: 403, message: 'Access denied for you.' }, 'invalid_grant', now),
    ).toEqual({
      tenantId: 't-1',
      occurredAt: now,
      status: 403,
      reason: 'Access denied for you.',
      detail: 'invalid_grant',
      ip: '203.0.113.7',
      userAgent: 'Mozilla/5.0',
    });
  });

  it('takes the tenant a refusal names when no attempt started', () => {
    expect(
      signInFailureRecord(request({}), { status: 404, message: 'Not set up', tenantId: 't-2' }, null, now),
    ).toMatchObject({ tenantId: 't-2', detail: null });
  });

  it('records nothing for a failure that belongs to no tenant', () => {
    expect(signInFailureRecord(request({}), { status: 404, message: 'No organization' }, null, now)).toBeUndefined();
  });

  it('names the product a refusal gives, and otherwise passes on a return_to that may be a product’s sign-in', () => {
    const page = { status: 403, message: 'No', tenantId: 't-2' };
    expect(signInFailureRecord(request({}), { ...page, clientId: 'wiki' }, null, now)).toMatchObject({
      clientId: 'wiki',
    });
    const interaction = 'https://gw.example/oidc/interaction/Abc_123';
    const atCallback = {
      signIn: { attempt: { tenantId: 't-1', returnTo: interaction } },
    } as unknown as Partial<SignInRequest>;
    expect(signInFailureRecord(request(atCallback), page, null, now)).toMatchObject({ returnTo: interaction });
    const atLogin = { query: { tenant: 'acme', return_to: interaction } } as unknown as Partial<SignInRequest>;
    expect(signInFailureRecord(request(atLogin), page, null, now)).toMatchObject({ returnTo: interaction });
  });

  it.each([
    ['an allowed return URL of the tenant', 'https://app.acme.example/home'],
    ['an interaction page with a query', 'https://gw.example/oidc/interaction/abc?next=1'],
    ['not a URL', '/oidc/interaction/abc'],
  ])('passes on no return_to for %s', (_case, returnTo) => {
    const atCallback = { signIn: { attempt: { tenantId: 't-1', returnTo } } } as unknown as Partial<SignInRequest>;
    const record = signInFailureRecord(request(atCallback), { status: 403, message: 'No' }, null, now);
    expect(record).toBeDefined();
    expect(record).not.toHaveProperty('returnTo');
    expect(record).not.toHaveProperty('clientId');
  });

  it('keeps no detail that only repeats the reason, and bounds long text', () => {
    const record = signInFailureRecord(
      request(attempt),
      { status: 400, message: 'x'.repeat(1000) },
      'x'.repeat(1000),
      now,
    );
    expect(record?.reason).toHaveLength(300);
    expect(record?.detail).toBeNull();
    expect(signInFailureRecord(request(attempt), { status: 400, message: 'Same' }, 'Same', now)?.detail).toBeNull();
  });
});

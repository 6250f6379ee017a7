import { ScimTokensService, TenantsService } from '@app/identity';
import { createScimApp } from '../../apps/scim/src/create-scim-app';
import { TestApp, startTestApp } from '../support/test-app';

/** Inputs PostgreSQL itself would refuse must be refused as SCIM errors first, never as a 500. */
describe('SCIM /Users: values the database cannot hold', () => {
  let gateway: TestApp;
  let token: string;

  beforeAll(async () => {
    gateway = await startTestApp(createScimApp);
    await gateway.app.get(TenantsService).create({ slug: 'acme', name: 'Acme', domains: [], signIn: 'jit' });
    ({ token } = await gateway.app.get(ScimTokensService).issue('acme', {}));
  });
  afterAll(() => gateway.close());

  const send = async (method: 'GET' | 'POST', url: string, payload?: string) => {
    const response = await gateway.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
      ...(payload === undefined ? {} : { payload }),
    });
    return { status: response.statusCode, body: JSON.parse(response.body) as { scimType?: string; detail?: string } };
  };
  const userCount = async (): Promise<number> =>
    Number((await gateway.db.query<{ n: string }>('SELECT count(*) AS n FROM users'))[0]?.n);

  it.each([
    { case: 'a NUL in userName', payload: String.raw`{"userName":"a\u0000b"}` },
    { case: 'a NUL in an unknown attribute', payload: String.raw`{"userName":"ok-nul","nickName":"x\u0000"}` },
    { case: 'a userName longer than an index entry', payload: JSON.stringify({ userName: 'u'.repeat(5000) }) },
    {
      case: 'an email longer than an index entry',
      payload: JSON.stringify({ userName: 'long-mail', emails: [{ value: `${'m'.repeat(5000)}@x.com` }] }),
    },
  ])('refuses $case with 400 invalidValue and stores nothing', async ({ payload }) => {
    const scimType = 'invalidValue';
    const before = await userCount();
    const response = await send('POST', '/scim/v2/Users', payload);
    expect(response.status).toBe(400);
    expect(response.body.scimType).toBe(scimType);
    expect(await userCount()).toBe(before);
  });

  it('takes deeply nested JSON in an attribute without overflowing, keeping only what the schema defines', async () => {
    const nested = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    const response = await send(
      'POST',
      '/scim/v2/Users',
      `{"userName":"deep","name":{"givenName":"Ann","extra":${nested}}}`,
    );
    expect(response.status).toBe(201);
    expect((response.body as { name?: unknown }).name).toEqual({ givenName: 'Ann' });
  });

  it.each([
    ['an escaped NUL', String.raw`userName eq "a\u0000"`],
    ['a raw NUL', 'userName eq "a\u0000"'],
  ])('refuses a filter with %s as invalidFilter', async (_case, filter) => {
    const response = await send('GET', `/scim/v2/Users?filter=${encodeURIComponent(filter)}`);
    expect(response.status).toBe(400);
    expect(response.body.scimType).toBe('invalidFilter');
  });

  it('answers an absurd startIndex with an empty page, not an error', async () => {
    const response = await send('GET', '/scim/v2/Users?startIndex=9007199254740991&count=5');
    expect(response.status).toBe(200);
  });
});

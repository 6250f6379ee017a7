import { recordedPath, scimErrorOf, scimRequestRecord, withoutQuotedValues } from './scim-request-record';

describe('the SCIM request log row', () => {
  it('fills the route pattern with the resource id, and nothing else', () => {
    expect(recordedPath('/scim/v2/Users/:id', { id: '2819c223-7f76-453a-919d-413861904646' })).toBe(
      '/scim/v2/Users/2819c223-7f76-453a-919d-413861904646',
    );
    expect(recordedPath('/scim/v2/Users', {})).toBe('/scim/v2/Users');
    expect(recordedPath('/scim/v2/Groups/:id', { id: 'a/b?filter=x' })).toBe('/scim/v2/Groups/a%2Fb%3Ffilter%3Dx');
    expect(recordedPath('/scim/v2/Users/:id', { id: 'x'.repeat(1000) }).length).toBe(301);
  });

  it('encodes an id as encodeURIComponent does, whichever characters it holds', () => {
    const ascii = Array.from({ length: 128 }, (_, code) => String.fromCharCode(code));
    for (const id of [...ascii, ...ascii.map((char) => `id-${char}-1`), 'é', '用户', '😀', "a-b_c.d!e~f*g'h(i)j"]) {
      expect(recordedPath('/scim/v2/Users/:id', { id })).toBe(`/scim/v2/Users/${encodeURIComponent(id)}`);
    }
  });

  it("reads an error's scimType and detail, and nothing from a success", () => {
    const error = JSON.stringify({ status: '409', scimType: 'uniqueness', detail: 'userName is taken' });
    expect(scimErrorOf(409, error)).toEqual({ scimType: 'uniqueness', detail: 'userName is taken' });
    expect(scimErrorOf(404, JSON.stringify({ status: '404', detail: 'x'.repeat(999) })).detail).toHaveLength(300);
    expect(scimErrorOf(200, error)).toEqual({ scimType: null, detail: null });
    expect(scimErrorOf(500, 'not json')).toEqual({ scimType: null, detail: null });
    expect(scimErrorOf(400, undefined)).toEqual({ scimType: null, detail: null });
  });

  it('leaves quoted values out of the detail', () => {
    const error = JSON.stringify({
      status: '409',
      scimType: 'uniqueness',
      detail: 'userName "bob@x.test" is already taken',
    });
    expect(scimErrorOf(409, error).detail).toBe('userName "…" is already taken');
    expect(withoutQuotedValues("expected an operator after 'userName', found 'zz \\' q' at position 10")).toBe(
      "expected an operator after '…', found '…' at position 10",
    );
    expect(withoutQuotedValues('no quotes here')).toBe('no quotes here');
  });

  it('keeps the tenant, token, status, duration and user agent', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(
      scimRequestRecord({
        principal: { tenantId: 't', tenantSlug: 'acme', tokenId: 'k' },
        method: 'PATCH',
        route: '/scim/v2/Users/:id',
        params: { id: 'u1' },
        status: 204,
        payload: '',
        elapsedMs: 12.6,
        userAgent: 'Okta SCIM Client 1.0.0',
        now,
      }),
    ).toEqual({
      tenantId: 't',
      tokenId: 'k',
      occurredAt: now,
      method: 'PATCH',
      path: '/scim/v2/Users/u1',
      status: 204,
      scimType: null,
      detail: null,
      durationMs: 13,
      userAgent: 'Okta SCIM Client 1.0.0',
    });
  });
});

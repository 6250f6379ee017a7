import { REDACTED, redactSecrets } from './secret-redaction';

describe('redactSecrets', () => {
  it.each([
    ['a client secret', { clientId: 'c', clientSecret: 's3cret' }, { clientId: 'c', clientSecret: REDACTED }],
    ['a webhook secret', { id: 'x', secret: 'whsec_abc' }, { id: 'x', secret: REDACTED }],
    ['a SCIM token', { id: 't', token: 'gws_abc' }, { id: 't', token: REDACTED }],
    ['a nested password', { user: { password: 'p', name: 'n' } }, { user: { password: REDACTED, name: 'n' } }],
    ['any case', { Client_Secret: 'x', PASSWORD: 'y' }, { Client_Secret: REDACTED, PASSWORD: REDACTED }],
    ['inside arrays', [{ token: 'a' }, { ok: 1 }], [{ token: REDACTED }, { ok: 1 }]],
    ['a secret that is an object', { secret: { value: 'v' } }, { secret: REDACTED }],
  ])('replaces %s', (_name, input, expected) => {
    expect(redactSecrets(input)).toEqual(expected);
  });

  it('keeps what is no secret as it is', () => {
    const input = { name: 'billing', events: ['user.*'], tenant: 'acme', active: true, count: 3, none: null };
    expect(redactSecrets(input)).toEqual(input);
  });

  it('does not change its input', () => {
    const input = { secret: 'x' };
    redactSecrets(input);
    expect(input).toEqual({ secret: 'x' });
  });

  it('bounds long strings and deep nesting', () => {
    expect((redactSecrets('a'.repeat(5000)) as string).length).toBe(2001);
    let deep: unknown = { leaf: true };
    for (let i = 0; i < 20; i += 1) deep = { deep };
    expect(JSON.stringify(redactSecrets(deep))).toContain(REDACTED);
  });

  it('turns undefined into null', () => {
    expect(redactSecrets(undefined)).toBeNull();
  });
});

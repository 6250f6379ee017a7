import { previousValues } from './previous-values';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

describe('previousValues', () => {
  const before = {
    id: 'u1',
    userName: 'ann@acme.test',
    name: { givenName: 'Ann', familyName: 'Lee' },
    emails: [{ value: 'ann@acme.test', primary: true }],
    active: true,
    [ENTERPRISE]: { department: 'Sales' },
    meta: { lastModified: '2026-01-01T00:00:00.000Z', version: 'W/"1"' },
  };

  it.each([
    ['nothing changed', before, {}],
    ['only meta changed', { ...before, meta: { lastModified: 'later', version: 'W/"2"' } }, {}],
    ['a top-level string changed', { ...before, userName: 'ann.lee@acme.test' }, { userName: 'ann@acme.test' }],
    [
      'a sub-attribute changed: the whole old complex value',
      { ...before, name: { givenName: 'Anna', familyName: 'Lee' } },
      { name: { givenName: 'Ann', familyName: 'Lee' } },
    ],
    [
      'one value of a multi-valued attribute changed: the whole old list',
      { ...before, emails: [{ value: 'ann@acme.test', primary: true }, { value: 'a@acme.test' }] },
      { emails: [{ value: 'ann@acme.test', primary: true }] },
    ],
    [
      'an extension changed',
      { ...before, [ENTERPRISE]: { department: 'R&D' } },
      { [ENTERPRISE]: { department: 'Sales' } },
    ],
    ['a field was added: it was null', { ...before, displayName: 'Ann' }, { displayName: null }],
    ['a field was removed: its old value', (({ emails: _e, ...rest }) => rest)(before), { emails: before.emails }],
    ['several changed', { ...before, active: false, userName: 'x' }, { active: true, userName: 'ann@acme.test' }],
  ])('%s', (_case, after, expected) => {
    expect(previousValues(before, after)).toEqual(expected);
  });

  it('ignores the order of keys inside objects', () => {
    expect(previousValues(before, { ...before, name: { familyName: 'Lee', givenName: 'Ann' } })).toEqual({});
  });

  it('treats an absent field and null alike', () => {
    expect(previousValues({ title: null }, {})).toEqual({});
  });

  it('never reports a password or a secret, even if one were in the documents', () => {
    expect(previousValues({ password: 'old', secret: 'a' }, { password: 'new', secret: 'b' })).toEqual({});
  });
});

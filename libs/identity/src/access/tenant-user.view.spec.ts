import { personName, primaryEmail } from './tenant-user.view';

describe('primaryEmail', () => {
  it.each([
    [undefined, null],
    ['a@x.test', null],
    [[], null],
    [[{ value: 'a@x.test' }, { value: 'b@x.test', primary: true }], 'b@x.test'],
    [[{ type: 'work' }, { value: 'a@x.test' }], 'a@x.test'],
    [[{ value: 'a@x.test', primary: 'true' }, { value: 'b@x.test' }], 'a@x.test'],
  ])('%j → %j', (emails: unknown, expected: string | null) => {
    expect(primaryEmail(emails)).toBe(expected);
  });
});

describe('personName', () => {
  it.each([
    ['Babs Jensen', { formatted: 'Ms. Barbara J Jensen' }, 'Babs Jensen'],
    [null, { formatted: 'Ms. Barbara J Jensen', givenName: 'Barbara' }, 'Ms. Barbara J Jensen'],
    [null, { givenName: 'Barbara', familyName: 'Jensen' }, 'Barbara Jensen'],
    [null, { familyName: 'Jensen' }, 'Jensen'],
    [null, {}, null],
    [null, null, null],
  ])('%j, %j → %j', (displayName: string | null, name: unknown, expected: string | null) => {
    expect(personName(displayName, name)).toBe(expected);
  });
});

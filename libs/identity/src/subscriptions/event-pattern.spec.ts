import { IDENTITY_EVENT_TYPES } from '../events/identity-event';
import { isEventPattern, patternsSelecting, selects } from './event-pattern';

describe('event patterns', () => {
  it.each([...IDENTITY_EVENT_TYPES, 'user.*', 'group.*', '*'])('accepts %s', (pattern) => {
    expect(isEventPattern(pattern)).toBe(true);
  });

  it.each([
    'user.exploded',
    'users.*',
    'user.',
    'user*',
    '*.created',
    'User.created',
    '',
    'user.created ',
    '.*',
    'group.**',
  ])('refuses %p', (pattern) => {
    expect(isEventPattern(pattern)).toBe(false);
  });

  it.each([
    [['user.*'], 'user.deactivated', true],
    [['user.*'], 'group.created', false],
    [['group.created'], 'group.created', true],
    [['group.created'], 'group.updated', false],
    [['*'], 'group.member_added', true],
    [['user.created', 'group.*'], 'group.deleted', true],
  ] as const)('%j selects %s: %s', (patterns, type, expected) => {
    expect(selects(patterns, type)).toBe(expected);
  });

  it('lists the patterns that select a type, for the SQL overlap query', () => {
    expect(patternsSelecting('user.roles_changed')).toEqual(['user.roles_changed', 'user.*', '*']);
  });
});

import { userChangeEvents } from './user-change-events';

describe('userChangeEvents', () => {
  const unchanged = { profileChanged: false, wasActive: true, isActive: true, passwordChanged: false };

  it.each([
    ['nothing', unchanged, []],
    ['a profile change', { ...unchanged, profileChanged: true }, ['user.updated']],
    ['a deactivation alone', { ...unchanged, isActive: false }, ['user.deactivated']],
    ['a reactivation alone', { ...unchanged, wasActive: false }, ['user.reactivated']],
    ['a password sync', { ...unchanged, passwordChanged: true }, ['user.password_changed']],
    [
      'a PUT that changes all at once',
      { profileChanged: true, wasActive: true, isActive: false, passwordChanged: true },
      ['user.updated', 'user.deactivated', 'user.password_changed'],
    ],
    ['an inactive user staying inactive', { ...unchanged, wasActive: false, isActive: false }, []],
  ])('%s → %j', (_case, change, expected) => {
    expect(userChangeEvents(change)).toEqual(expected);
  });
});

import { chooseLogFormat, isStartupChatter, prettyMessage, requestLine } from './log-format';

describe('chooseLogFormat', () => {
  it.each([
    [undefined, true, 'pretty'],
    [undefined, false, 'json'],
    ['json', true, 'json'],
    ['pretty', false, 'pretty'],
  ] as const)('LOG_FORMAT=%s on a terminal=%s is %s', (setting, tty, expected) => {
    expect(chooseLogFormat(setting, tty)).toBe(expected);
  });
});

describe('requestLine', () => {
  it('is method, path, status and whole milliseconds, without the query string', () => {
    expect(requestLine('GET', '/scim/v2/Users?filter=userName%20eq%20%22ann%22', 200, 4.4)).toBe(
      'GET /scim/v2/Users 200 4ms',
    );
  });
});

describe('isStartupChatter', () => {
  it("recognises Nest's wiring report at info", () => {
    expect(isStartupChatter(30, { context: 'InstanceLoader' })).toBe(true);
    expect(isStartupChatter(30, { context: 'RouterExplorer' })).toBe(true);
  });

  it('keeps warnings, other contexts and plain messages', () => {
    expect(isStartupChatter(40, { context: 'InstanceLoader' })).toBe(false);
    expect(isStartupChatter(30, { context: 'SessionTerminator' })).toBe(false);
    expect(isStartupChatter(30, 'InstanceLoader')).toBe(false);
    expect(isStartupChatter(30, null)).toBe(false);
  });
});

describe('prettyMessage', () => {
  it('folds a refused sign-in into one line, its reason said once, with its reference', () => {
    const reason = 'No organization is called "nope".';
    expect(
      prettyMessage(
        { context: 'SignIn', msg: `sign-in refused: ${reason}`, reason, reference: '16100e0f-8030' },
        'msg',
      ),
    ).toBe('SignIn: sign-in refused: No organization is called "nope". (reference 16100e0f-8030)');
  });

  it('keeps a reason the message does not say', () => {
    expect(
      prettyMessage({ context: 'SignIn', msg: 'sign-in refused: Sign-in failed', reason: 'invalid_grant' }, 'msg'),
    ).toBe('SignIn: sign-in refused: Sign-in failed — invalid_grant');
  });

  it('is the bare message without context, reason or reference', () => {
    expect(prettyMessage({ msg: 'GET /health/ready 200 2ms' }, 'msg')).toBe('GET /health/ready 200 2ms');
  });
});

import { chooseLogFormat, isStartupChatter, requestLine } from './log-format';

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

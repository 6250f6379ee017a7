import { isSameOriginRequest } from './same-origin';

const OURS = 'https://login.gateway.test';

describe('isSameOriginRequest', () => {
  it.each([
    ['Sec-Fetch-Site same-origin', { 'sec-fetch-site': 'same-origin' }, true],
    ['both, ours', { 'sec-fetch-site': 'same-origin', origin: OURS }, true],
    ['Origin ours (no Fetch Metadata)', { origin: OURS }, true],
    ['Origin ours with a default port', { origin: 'https://login.gateway.test:443' }, true],
    ['another site', { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' }, false],
    ['a sibling of the same site', { 'sec-fetch-site': 'same-site', origin: 'https://app.gateway.test' }, false],
    ['a top-level navigation the person typed', { 'sec-fetch-site': 'none' }, false],
    ['Origin elsewhere (no Fetch Metadata)', { origin: 'https://evil.example' }, false],
    ['Origin over http', { origin: 'http://login.gateway.test' }, false],
    ['an opaque origin', { origin: 'null' }, false],
    ['same-origin, yet another Origin', { 'sec-fetch-site': 'same-origin', origin: 'https://evil.example' }, false],
    ['neither header', {}, false],
  ])('%s → %p', (_case, headers: Record<string, string>, expected) => {
    expect(isSameOriginRequest(headers, OURS)).toBe(expected);
  });
});

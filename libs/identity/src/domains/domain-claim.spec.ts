import { isConsumerDomain } from './consumer-domains';
import { provesClaim, verificationRecord } from './domain-claim';

describe('proving a claimed domain', () => {
  it('names the record under the domain and the value after the token', () => {
    expect(verificationRecord('acme.example', 'abc123')).toEqual({
      name: '_gateway-verification.acme.example',
      value: 'gateway-verification=abc123',
    });
  });

  it.each([
    ['the exact value', [['gateway-verification=abc123']], true],
    ['the value among other records', [['v=spf1 -all'], ['gateway-verification=abc123']], true],
    ['the value split into strings (RFC 7208 §3.3)', [['gateway-verification=', 'abc123']], true],
    ['the value with stray spaces', [[' gateway-verification=abc123 ']], true],
    ['no record', [], false],
    ['another token', [['gateway-verification=abc124']], false],
    ['the token alone', [['abc123']], false],
    ['the value with more after it', [['gateway-verification=abc1234']], false],
    ['another case', [['GATEWAY-VERIFICATION=abc123']], false],
  ])('%s: %s', (_, records, proven) => {
    expect(provesClaim(records, 'abc123')).toBe(proven);
  });
});

describe('consumer mail domains', () => {
  it.each([
    'gmail.com',
    'googlemail.com',
    'outlook.com',
    'hotmail.co.uk',
    'yahoo.co.jp',
    'icloud.com',
    'proton.me',
    'mail.gmail.com',
  ])('refuses %s', (domain) => expect(isConsumerDomain(domain)).toBe(true));

  it.each(['acme.example', 'gmail.com.acme.example', 'notgmail.com', 'google.com', 'microsoft.com', 'com'])(
    'accepts %s',
    (domain) => expect(isConsumerDomain(domain)).toBe(false),
  );
});

import {
  SigningKeyPolicy,
  SigningKeyState,
  assertSigningKeyPolicy,
  planChangesKeys,
  planSigningKeys,
} from './signing-key-rotation';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const policy: SigningKeyPolicy = { rotateAfterMs: 30 * DAY, prePublishMs: HOUR, retiredPublishedForMs: DAY };
const start = new Date('2026-01-01T00:00:00Z');
const at = (ms: number) => new Date(start.getTime() + ms);
const key = (kid: string, createdAfterMs: number, retiredAfterMs: number | null = null): SigningKeyState => ({
  kid,
  createdAt: at(createdAfterMs),
  retiredAt: retiredAfterMs === null ? null : at(retiredAfterMs),
});

describe('planSigningKeys', () => {
  it('asks for a first key when there is none', () => {
    expect(planSigningKeys([], start, policy)).toEqual({
      signingKid: undefined,
      generate: true,
      retire: [],
      remove: [],
      published: [],
    });
  });

  it('signs with a brand-new first key at once: no verifier can have cached a JWKS without it', () => {
    const plan = planSigningKeys([key('a', 0)], at(1000), policy);
    expect(plan).toMatchObject({ signingKid: 'a', generate: false, published: ['a'] });
    expect(planChangesKeys(plan)).toBe(false);
  });

  it.each([
    ['well before rotation is due', 10 * DAY, false],
    ['just before the successor must be announced', 30 * DAY - HOUR - 1, false],
    ['when the successor must be announced', 30 * DAY - HOUR, true],
    ['long overdue (nothing ran for months)', 200 * DAY, true],
  ])('asks for a successor %s', (_case, ageMs, generate) => {
    expect(planSigningKeys([key('a', 0)], at(ageMs), policy)).toMatchObject({ signingKid: 'a', generate });
  });

  it('publishes an announced successor but keeps signing with the current key until the announcement is old enough', () => {
    const keys = [key('a', 0), key('b', 30 * DAY - HOUR)];
    expect(planSigningKeys(keys, at(30 * DAY - 1), policy)).toEqual({
      signingKid: 'a',
      generate: false,
      retire: [],
      remove: [],
      published: ['a', 'b'],
    });
  });

  it('hands over to the successor once announced for long enough, and retires its predecessor', () => {
    const keys = [key('a', 0), key('b', 30 * DAY - HOUR)];
    expect(planSigningKeys(keys, at(30 * DAY), policy)).toEqual({
      signingKid: 'b',
      generate: false,
      retire: ['a'],
      remove: [],
      published: ['a', 'b'],
    });
  });

  it('keeps a retired key published during its overlap, then removes it', () => {
    const keys = [key('a', 0, 30 * DAY), key('b', 30 * DAY - HOUR)];
    expect(planSigningKeys(keys, at(31 * DAY - 1), policy)).toMatchObject({
      signingKid: 'b',
      remove: [],
      published: ['a', 'b'],
    });
    expect(planSigningKeys(keys, at(31 * DAY), policy)).toMatchObject({
      signingKid: 'b',
      remove: ['a'],
      published: ['b'],
    });
  });

  it('signs with the key of an immediate rotation, though it was not announced', () => {
    const keys = [key('a', 0, 5 * DAY), key('b', 5 * DAY)];
    expect(planSigningKeys(keys, at(5 * DAY), policy)).toMatchObject({
      signingKid: 'b',
      generate: false,
      retire: [],
      published: ['a', 'b'],
    });
  });

  it('orders keys by creation, not by the order they were read in', () => {
    const keys = [key('b', 30 * DAY - HOUR), key('a', 0)];
    expect(planSigningKeys(keys, at(30 * DAY), policy)).toMatchObject({ signingKid: 'b', retire: ['a'] });
  });

  it('settles keys made in the same instant by their kid', () => {
    expect(planSigningKeys([key('b', 0), key('a', 0)], at(1000), policy)).toMatchObject({
      signingKid: 'b',
      retire: ['a'],
    });
  });
});

describe('assertSigningKeyPolicy', () => {
  it.each([
    ['announces the successor no earlier than rotation', { ...policy, prePublishMs: policy.rotateAfterMs }],
    ['has a negative overlap', { ...policy, retiredPublishedForMs: -1 }],
  ])('refuses a policy that %s', (_case, bad) => {
    expect(() => assertSigningKeyPolicy(bad)).toThrow(RangeError);
  });

  it('accepts the defaults', () => {
    expect(() => assertSigningKeyPolicy(policy)).not.toThrow();
  });
});

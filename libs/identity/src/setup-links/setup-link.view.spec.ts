import { setupLinkStatus } from './setup-link.view';

describe("a setup link's status", () => {
  const now = new Date('2026-12-04T08:00:00Z');
  const later = new Date('2026-12-05T08:00:00Z');
  const earlier = new Date('2026-12-03T08:00:00Z');

  it.each([
    ['active', { usedAt: null, revokedAt: null, expiresAt: later }],
    ['used', { usedAt: earlier, revokedAt: null, expiresAt: later }],
    ['expired', { usedAt: null, revokedAt: null, expiresAt: earlier }],
    ['expired', { usedAt: null, revokedAt: null, expiresAt: now }],
    ['revoked', { usedAt: null, revokedAt: earlier, expiresAt: later }],
    // Revoked says the most: the link was taken back, whatever else became of it.
    ['revoked', { usedAt: earlier, revokedAt: earlier, expiresAt: earlier }],
    ['used', { usedAt: earlier, revokedAt: null, expiresAt: earlier }],
  ])('is %s for %j', (status, link) => {
    expect(setupLinkStatus(link, now)).toBe(status);
  });
});

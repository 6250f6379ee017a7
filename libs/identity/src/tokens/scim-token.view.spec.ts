import { ScimTokenEntity } from './scim-token.entity';
import { scimTokenViews } from './scim-token.view';

const NOW = new Date('2026-12-01T12:00:00Z');

function token(id: string, fields: Partial<ScimTokenEntity> = {}): ScimTokenEntity {
  return Object.assign(new ScimTokenEntity(), {
    id,
    tenantId: 't',
    tokenHash: Buffer.alloc(32),
    prefix: 'gws_abcdef',
    createdAt: NOW,
    expiresAt: null,
    revokedAt: null,
    lastUsedAt: null,
    replacesTokenId: null,
    ...fields,
  });
}

describe('scimTokenViews', () => {
  it('shows the token a new one replaces while both are unrevoked', () => {
    const views = scimTokenViews([token('old'), token('new', { replacesTokenId: 'old' })], NOW);
    expect(views.map((view) => [view.id, view.replaces])).toEqual([
      ['old', null],
      ['new', 'old'],
    ]);
  });

  it.each([
    ['completed (the old one revoked)', { old: { revokedAt: NOW }, new: {} }],
    ['cancelled (the new one revoked)', { old: {}, new: { revokedAt: NOW } }],
  ])('shows no rotation once it was %s', (_case, fields) => {
    const views = scimTokenViews(
      [token('old', fields.old), token('new', { replacesTokenId: 'old', ...fields.new })],
      NOW,
    );
    expect(views.map((view) => view.replaces)).toEqual([null, null]);
  });

  it('still shows a rotation whose new token expired: it must be cancelled or completed', () => {
    const expired = new Date(NOW.getTime() - 1000);
    const views = scimTokenViews([token('old'), token('new', { replacesTokenId: 'old', expiresAt: expired })], NOW);
    expect(views[1]).toMatchObject({ status: 'expired', replaces: 'old' });
  });
});

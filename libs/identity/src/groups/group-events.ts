import type { NewIdentityEvent } from '../events/identity-event';
import type { ScimPrincipal } from '../tokens/scim-tokens.service';

/** A membership change, in the order it happened. */
export interface MembershipChange {
  readonly type: 'group.member_added' | 'group.member_removed';
  readonly userId: string;
}

/**
 * The event of one membership change. Its subject is the group, so a group's
 * events share one rising sequence; `data` names the group and the member
 * (never the whole member list, which may hold 50,000 users).
 */
export function membershipEvent(
  principal: ScimPrincipal,
  group: { readonly id: string; readonly displayName: string },
  change: MembershipChange,
): NewIdentityEvent {
  return {
    type: change.type,
    tenant: { id: principal.tenantId, slug: principal.tenantSlug },
    subject: { type: 'group', id: group.id },
    data: { group: { id: group.id, displayName: group.displayName }, member: { value: change.userId, type: 'User' } },
  };
}

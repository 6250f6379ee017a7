import { effectiveRoles } from './access-lists';
import { GroupRoleRule, rolesFromGroups } from './roles-from-groups';

/** A user as a preview of new rules sees them: what an administrator granted, and their groups now. */
export interface PreviewSubject {
  readonly id: string;
  readonly userName: string;
  /** Granted by hand: never gained or lost through rules. */
  readonly granted: readonly string[];
  /** The groups rules match on: the last sign-in's groups claim and the user's SCIM groups. */
  readonly groups: readonly string[];
}

/** One user whose effective roles the new rules would change. */
export interface UserRoleChange {
  readonly id: string;
  readonly userName: string;
  readonly gains: string[];
  readonly loses: string[];
}

/** How many users would gain and lose a role. */
export interface RoleChangeCount {
  readonly role: string;
  readonly gain: number;
  readonly lose: number;
}

export interface GroupRolesPreview {
  /** Per role, sorted by name. */
  readonly summary: RoleChangeCount[];
  /** The users whose roles change, in the order given. */
  readonly users: UserRoleChange[];
}

/**
 * What replacing the tenant's rules `current` with `proposed` would change in each user's
 * effective roles, computed as a sign-in does (granted roles, then the roles the rules
 * derive from the user's groups): a role the user was granted by hand is neither gained
 * nor lost, nor is one that another rule still grants. Users are judged on the groups
 * known now; the change reaches each of them at their next sign-in.
 */
export function previewGroupRoles(
  subjects: Iterable<PreviewSubject>,
  current: readonly GroupRoleRule[],
  proposed: readonly GroupRoleRule[],
): GroupRolesPreview {
  const counts = new Map<string, { gain: number; lose: number }>();
  const count = (role: string) => counts.get(role) ?? counts.set(role, { gain: 0, lose: 0 }).get(role)!;
  const users: UserRoleChange[] = [];
  for (const subject of subjects) {
    const before = new Set(effectiveRoles(subject.granted, rolesFromGroups(current, subject.groups)));
    const after = effectiveRoles(subject.granted, rolesFromGroups(proposed, subject.groups));
    const gains = after.filter((role) => !before.has(role));
    const afterSet = new Set(after);
    const loses = [...before].filter((role) => !afterSet.has(role));
    if (gains.length === 0 && loses.length === 0) continue;
    gains.forEach((role) => count(role).gain++);
    loses.forEach((role) => count(role).lose++);
    users.push({ id: subject.id, userName: subject.userName, gains, loses });
  }
  const summary = [...counts.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([role, { gain, lose }]) => ({ role, gain, lose }));
  return { summary, users };
}

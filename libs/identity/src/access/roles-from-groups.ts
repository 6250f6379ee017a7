/** A tenant's rule: members of the IdP group named `group` get `roles`. */
export interface GroupRoleRule {
  readonly group: string;
  readonly roles: readonly string[];
}

/**
 * The roles the rules grant to a member of `groupNames`: group names match
 * case-insensitively (IdPs differ in how they spell a group, and the rules'
 * unique key is on lower(group_name)); roles come in the rules' order, each once.
 */
export function rolesFromGroups(rules: readonly GroupRoleRule[], groupNames: readonly string[]): string[] {
  const memberOf = new Set(groupNames.map(foldCase));
  const roles = new Set<string>();
  for (const rule of rules) {
    if (!memberOf.has(foldCase(rule.group))) continue;
    for (const role of rule.roles) roles.add(role);
  }
  return [...roles];
}

/** The key two group names are compared by. */
export function foldCase(name: string): string {
  return name.toLowerCase();
}

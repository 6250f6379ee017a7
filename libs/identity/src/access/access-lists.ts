import { foldCase } from './roles-from-groups';

/** Granted roles first, then the roles rules derived, each once. */
export function effectiveRoles(granted: readonly string[], ruleRoles: readonly string[]): string[] {
  return [...new Set([...granted, ...ruleRoles])];
}

/** Whether two lists hold the same names, in any order: roles and teams are sets. */
export function sameMembers(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((name) => right.has(name));
}

/**
 * Group names from several sources, each group once whatever its case (the
 * first spelling wins), blanks dropped. The groups claim of an ID token is
 * untrusted input, so anything but a string is ignored.
 */
export function groupNamesOf(...sources: readonly (readonly unknown[])[]): string[] {
  const byKey = new Map<string, string>();
  for (const name of sources.flat()) {
    if (typeof name !== 'string') continue;
    const trimmed = name.trim();
    if (trimmed !== '' && !byKey.has(foldCase(trimmed))) byKey.set(foldCase(trimmed), trimmed);
  }
  return [...byKey.values()];
}

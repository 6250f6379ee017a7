import { GroupRoleRule } from '../types';

/** Rule rows as the editor holds them: free text while typing. */
export interface RuleRow {
  readonly group: string;
  readonly roles: string;
}

/** Rows as the API takes them: empty rows dropped, names trimmed, roles split on commas or spaces. */
export function toRules(rows: readonly RuleRow[]): GroupRoleRule[] {
  return rows
    .filter((row) => row.group.trim() !== '' || row.roles.trim() !== '')
    .map((row) => ({ group: row.group.trim(), roles: row.roles.split(/[\s,]+/).filter((role) => role !== '') }));
}

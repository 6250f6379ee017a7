import { z } from 'zod';
import { pageLimit } from '../errors/input-fields';

/** Role and team names travel in tokens and headers downstream: a conservative charset, no spaces. */
export const ACCESS_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
const MAX_NAME_LENGTH = 100;
const MAX_NAMES = 100;
const MAX_GROUP_NAME_LENGTH = 256;
const MAX_RULES = 500;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/** A list of role or team names: trimmed, checked, each kept once in the order given. */
function names(kind: 'role' | 'team', atLeastOne = false) {
  const name = z
    .string({ error: 'must be a string' })
    .trim()
    .min(1, 'must not be empty')
    .max(MAX_NAME_LENGTH, `must be at most ${MAX_NAME_LENGTH} characters`)
    .regex(
      ACCESS_NAME_PATTERN,
      'must start with a letter or digit and hold only letters, digits, ".", "_", ":" or "-"',
    );
  return z
    .array(name, { error: `must be a list of ${kind} names` })
    .min(atLeastOne ? 1 : 0, `must name at least one ${kind}`)
    .max(MAX_NAMES, `at most ${MAX_NAMES} ${kind}s`)
    .transform((list) => [...new Set(list)]);
}

/** `PUT /admin/v1/tenants/{slug}/users/{id}/roles`: the roles an administrator grants; `[]` revokes them all. */
export const setRolesInput = z.strictObject({ roles: names('role') });
export type SetRolesInput = z.output<typeof setRolesInput>;

/** `PUT /admin/v1/tenants/{slug}/users/{id}/teams` */
export const setTeamsInput = z.strictObject({ teams: names('team') });
export type SetTeamsInput = z.output<typeof setTeamsInput>;

const groupName = z
  .string({ error: 'must be a string' })
  .trim()
  .min(1, 'must not be empty')
  .max(MAX_GROUP_NAME_LENGTH, `must be at most ${MAX_GROUP_NAME_LENGTH} characters`)
  .refine((value) => !CONTROL_CHARACTER.test(value), 'must not hold control characters');

/**
 * `PUT /admin/v1/tenants/{slug}/group-roles`: every rule of the tenant, in order.
 * Group names are IdP display names (spaces allowed) and match case-insensitively,
 * so two rules for one group, however spelt, are refused.
 */
export const groupRoleRulesInput = z.strictObject({
  rules: z
    .array(z.strictObject({ group: groupName, roles: names('role', true) }), {
      error: 'must be a list of {group, roles}',
    })
    .max(MAX_RULES, `at most ${MAX_RULES} rules`)
    .superRefine((rules, ctx) => {
      const seen = new Map<string, number>();
      rules.forEach((rule, index) => {
        const key = rule.group.toLowerCase();
        const first = seen.get(key);
        if (first === undefined) seen.set(key, index);
        else
          ctx.addIssue({
            code: 'custom',
            path: [index, 'group'],
            message: `"${rule.group}" repeats the group of rule ${first} (group names match case-insensitively)`,
          });
      });
    }),
});
export type GroupRoleRulesInput = z.output<typeof groupRoleRulesInput>;

/** `GET /admin/v1/tenants/{slug}/users` query parameters. */
export const listTenantUsersQuery = z.strictObject({
  /** A prefix of the userName or of an email address, case-insensitively. */
  q: z
    .string({ error: 'must be a string' })
    .trim()
    .max(200, 'must be at most 200 characters')
    .optional()
    .transform((value) => (value === '' ? undefined : value)),
  limit: pageLimit,
  /** The `nextCursor` of the previous page. */
  cursor: z.string({ error: 'must be a string' }).regex(UUID, 'must be the nextCursor of a previous page').optional(),
});
export type ListTenantUsersQuery = z.output<typeof listTenantUsersQuery>;

/** `GET /admin/v1/tenants/{slug}/groups` query parameters. */
export const listTenantGroupsQuery = z.strictObject({
  limit: pageLimit,
  /** The `nextCursor` of the previous page (checked when decoded). */
  cursor: z.string({ error: 'must be a string' }).optional(),
});
export type ListTenantGroupsQuery = z.output<typeof listTenantGroupsQuery>;

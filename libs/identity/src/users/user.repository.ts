import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { OutboxAppend } from '../events/outbox.service';
import { runStatement } from '../scim/storage/prepared-statements';
import { PageQuery, Page, resourcePage, uniquely } from '../scim/storage/resource-page';
import type { UserRow, UserView, UserWrite } from './user-row';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const COLUMNS =
  'id, tenant_id, user_name, external_id, active, resource, password_hash, version, created_at, updated_at';

/** The columns of a UserView, read by every SCIM response (besides `groups`). */
const VIEW_COLUMNS = ['id', 'active', 'resource', 'version', 'created_at', 'updated_at'];
const VIEW_BY_ID = `SELECT ${VIEW_COLUMNS.join(', ')}, ${groupsOf('users')} FROM users WHERE tenant_id = $1 AND id = $2`;
const VIEW_OF_U = `${VIEW_COLUMNS.map((column) => `u.${column}`).join(', ')}, ${groupsOf('u')}`;

/**
 * The user's groups, read with the row through group_members' user index (`users` aliased as `alias`).
 * An array subquery rather than `json_agg`: PostgreSQL sets up an ordered aggregate at every run of the
 * statement, even for the many users in no group, and every SCIM read of a user runs it.
 */
function groupsOf(alias: string): string {
  return `ARRAY(SELECT json_build_object('value', g.id, 'display', g.display_name)
                  FROM group_members m JOIN groups g ON g.id = m.group_id
                 WHERE m.user_id = ${alias}.id
                 ORDER BY lower(g.display_name), g.id) AS groups`;
}

// email_values is derived in SQL with PostgreSQL's own lower(), the same function
// the filter translator applies to the value searched for.
const EMAIL_VALUES = `ARRAY(
  SELECT DISTINCT lower(e ->> 'value')
    FROM jsonb_array_elements(CASE WHEN jsonb_typeof($5::jsonb -> 'emails') = 'array' THEN $5::jsonb -> 'emails' ELSE '[]'::jsonb END) AS e
   WHERE e ->> 'value' IS NOT NULL)`;

/** A page of users and the total matching the filter. */
export type UserPage = Page<UserView>;

/** The SQL of the `users` table. The tenant is the first argument of every method. */
@Injectable()
export class UserRepository {
  async insert(em: EntityManager, tenantId: string, write: UserWrite, passwordHash: string | null): Promise<UserRow> {
    const rows = await uniquely(userNameTaken(write.userName), () =>
      runStatement<UserRow>(
        em,
        `INSERT INTO users (tenant_id, user_name, external_id, active, resource, email_values, password_hash)
         VALUES ($1, $2, $3, $4, $5::jsonb, ${EMAIL_VALUES}, $6)
         RETURNING ${COLUMNS}, '[]'::json AS groups`,
        [tenantId, write.userName, write.externalId, write.active, JSON.stringify(write.resource), passwordHash],
      ),
    );
    return rows[0];
  }

  /**
   * Inserts a user and the events of its creation in one statement (no transaction around it: the
   * statement is one), with the id and time made beforehand. Either both commit or neither does.
   */
  async insertWithEvents(
    em: EntityManager,
    created: { readonly tenantId: string; readonly id: string; readonly at: Date },
    write: UserWrite,
    passwordHash: string | null,
    events: (firstParam: number) => OutboxAppend,
  ): Promise<UserRow> {
    const append = events(9);
    const rows = await uniquely(userNameTaken(write.userName), () =>
      runStatement<UserRow>(
        em,
        `WITH inserted AS (
           INSERT INTO users (id, tenant_id, user_name, external_id, active, resource, email_values, password_hash,
                              created_at, updated_at)
           VALUES ($7, $1, $2, $3, $4, $5::jsonb, ${EMAIL_VALUES}, $6, $8, $8)
           RETURNING ${COLUMNS}
         ), ${append.ctes}
         SELECT inserted.*, '[]'::json AS groups FROM inserted, next`,
        [
          created.tenantId,
          write.userName,
          write.externalId,
          write.active,
          JSON.stringify(write.resource),
          passwordHash,
          created.id,
          created.at,
          ...append.values,
        ],
      ),
    );
    append.wakeRelayAfter(em);
    return rows[0];
  }

  /** The whole user, locked for the rest of the transaction (a change follows); reads use findViewById. */
  async findForUpdate(em: EntityManager, tenantId: string, id: string): Promise<UserRow | undefined> {
    if (!UUID.test(id)) return undefined;
    const rows = await runStatement<UserRow>(
      em,
      `SELECT ${COLUMNS}, ${groupsOf('users')} FROM users WHERE tenant_id = $1 AND id = $2 FOR UPDATE`,
      [tenantId, id],
    );
    return rows[0];
  }

  /** What a SCIM response shows of the user; undefined for an unknown id. */
  async findViewById(em: EntityManager, tenantId: string, id: string): Promise<UserView | undefined> {
    if (!UUID.test(id)) return undefined;
    return (await runStatement<UserView>(em, VIEW_BY_ID, [tenantId, id]))[0];
  }

  /** The tenant's users among `ids` (in no particular order; unknown ids are left out). */
  async findByIds(em: EntityManager, tenantId: string, ids: readonly string[]): Promise<UserRow[]> {
    if (ids.length === 0) return [];
    return em.query<UserRow[]>(
      `SELECT ${COLUMNS}, ${groupsOf('users')} FROM users WHERE tenant_id = $1 AND id = ANY($2::uuid[])`,
      [tenantId, ids],
    );
  }

  /** Stores a new state and bumps the version; `passwordHash` undefined keeps the current one. */
  async update(
    em: EntityManager,
    tenantId: string,
    id: string,
    write: UserWrite,
    passwordHash: string | undefined,
  ): Promise<UserRow> {
    const rows = await uniquely(userNameTaken(write.userName), () =>
      em.query<[UserRow[], number]>(
        `UPDATE users
            SET user_name = $3, external_id = $4, active = $6, resource = $5::jsonb, email_values = ${EMAIL_VALUES},
                password_hash = CASE WHEN $7::boolean THEN $8 ELSE password_hash END,
                version = version + 1, updated_at = date_trunc('milliseconds', now())
          WHERE tenant_id = $1 AND id = $2
          RETURNING ${COLUMNS}, ${groupsOf('users')}`,
        [
          tenantId,
          id,
          write.userName,
          write.externalId,
          JSON.stringify(write.resource),
          write.active,
          passwordHash !== undefined,
          passwordHash ?? null,
        ],
      ),
    );
    return rows[0][0];
  }

  /** Deletes the user and leaves a tombstone, so signing in as them later is refused rather than a new start. */
  async delete(em: EntityManager, tenantId: string, id: string): Promise<void> {
    await em.query(
      `WITH gone AS (DELETE FROM users WHERE tenant_id = $1 AND id = $2 RETURNING tenant_id, id, user_name, external_id)
       INSERT INTO deleted_users (tenant_id, user_id, user_name, external_id)
       SELECT tenant_id, id, user_name, external_id FROM gone
       ON CONFLICT DO NOTHING`,
      [tenantId, id],
    );
  }

  /** One page of the tenant's users (see resourcePage). */
  page(em: EntityManager, tenantId: string, query: PageQuery): Promise<UserPage> {
    return resourcePage<UserView>(em, tenantId, { table: 'users', alias: 'u', select: VIEW_OF_U }, query);
  }
}

// RFC 7643 §4.1.1: userName is unique, case-insensitively.
function userNameTaken(userName: string): string {
  return `userName "${userName}" is already taken`;
}

import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A group's member count, stored on the group: the directory lists up to 500
 * groups a page, and counting each group's memberships per row costs a page of
 * 50,000-member groups 25 million index entries (docs/PERFORMANCE.md, Products API).
 *
 * Statement-level triggers keep it in the transaction of every membership change,
 * whichever path makes it (SCIM writes, a user's deletion cascading to its
 * memberships, bulk SQL): one UPDATE per group a statement touched, from its
 * transition table, so adding 50,000 members at once is one update too. The
 * group rows they update are those the writers lock already (a group write
 * locks its group first; a user's deletion locks the user's groups, in id
 * order, before deleting), so the triggers add no new lock order.
 */
export class GroupMemberCount1765600000000 implements MigrationInterface {
  name = 'GroupMemberCount1765600000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE groups ADD COLUMN member_count integer NOT NULL DEFAULT 0`);
    await db.query(`
      CREATE FUNCTION group_members_counted() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          UPDATE groups g SET member_count = g.member_count + d.n
            FROM (SELECT group_id, count(*)::int AS n FROM added GROUP BY group_id) d WHERE g.id = d.group_id;
        ELSE
          UPDATE groups g SET member_count = g.member_count - d.n
            FROM (SELECT group_id, count(*)::int AS n FROM removed GROUP BY group_id) d WHERE g.id = d.group_id;
        END IF;
        RETURN NULL;
      END $$`);
    // Transition tables allow one event per trigger: one for additions, one for removals.
    await db.query(`
      CREATE TRIGGER group_members_added AFTER INSERT ON group_members
      REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION group_members_counted()`);
    await db.query(`
      CREATE TRIGGER group_members_removed AFTER DELETE ON group_members
      REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION group_members_counted()`);
    // Counted after the triggers exist: CREATE TRIGGER holds off writes to group_members until this commits.
    await db.query(`
      UPDATE groups g SET member_count = c.n
        FROM (SELECT group_id, count(*)::int AS n FROM group_members GROUP BY group_id) c WHERE g.id = c.group_id`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TRIGGER group_members_removed ON group_members`);
    await db.query(`DROP TRIGGER group_members_added ON group_members`);
    await db.query(`DROP FUNCTION group_members_counted()`);
    await db.query(`ALTER TABLE groups DROP COLUMN member_count`);
  }
}

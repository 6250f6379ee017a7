import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every stored user carries `active` in its SCIM document, equal to the
 * `active` column that sign-in and filters read. Users created without it
 * were stored without it (and shown without it) although the column said
 * active; their documents get the column's value.
 *
 * The version stays: the user's state is unchanged (the column already said
 * so), only its representation now names it, which a weak ETag allows.
 */
export class UserActiveStored1764800000000 implements MigrationInterface {
  name = 'UserActiveStored1764800000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      UPDATE users
         SET resource = jsonb_set(resource, '{active}', to_jsonb(active))
       WHERE resource -> 'active' IS DISTINCT FROM to_jsonb(active)`);
  }

  async down(): Promise<void> {
    // Nothing to undo: a document naming the column's value is valid under the earlier code too.
  }
}

import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A refused sign-in that was a product's (through the gateway's OpenID Provider)
 * names the product's client id. No foreign key: the row outlives a deleted product,
 * and says which one it was.
 */
export class SignInFailureClient1765160000000 implements MigrationInterface {
  name = 'SignInFailureClient1765160000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE sign_in_failures ADD COLUMN client_id text`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE sign_in_failures DROP COLUMN client_id`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The transactional outbox: jobs recorded with the change that needs them, relayed to BullMQ later. */
export class AddOutbox1767330000000 implements MigrationInterface {
  name = 'AddOutbox1767330000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE auth_outbox (
        id uuid PRIMARY KEY,
        job_name varchar(64) NOT NULL,
        job_id varchar(200) NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL,
        relayed_at timestamptz,
        attempts integer NOT NULL DEFAULT 0,
        last_error text
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX auth_outbox_job_id_key ON auth_outbox (job_id)`);
    await queryRunner.query(`CREATE INDEX auth_outbox_pending_idx ON auth_outbox (created_at) WHERE relayed_at IS NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE auth_outbox`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The library's own tables: sessions, per-user session state, audit events and generated secrets. */
export class CreateAuthSessions1767225600000 implements MigrationInterface {
  name = 'CreateAuthSessions1767225600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE auth_sessions (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL,
        kind varchar(16) NOT NULL,
        token_hash bytea NOT NULL,
        remember_me boolean NOT NULL DEFAULT false,
        user_agent text NOT NULL DEFAULT '',
        browser varchar(64) NOT NULL DEFAULT '',
        os varchar(64) NOT NULL DEFAULT '',
        device_type varchar(16) NOT NULL DEFAULT 'desktop',
        ip varchar(64) NOT NULL DEFAULT '',
        created_at timestamptz NOT NULL,
        last_active_at timestamptz NOT NULL,
        idle_seconds integer NOT NULL,
        absolute_expires_at timestamptz NOT NULL,
        fresh_at timestamptz NOT NULL,
        epoch integer NOT NULL DEFAULT 0,
        ended_at timestamptz,
        end_reason varchar(32),
        ended_by_id uuid,
        ended_by_email varchar(320),
        CONSTRAINT auth_sessions_end_consistent CHECK ((ended_at IS NULL) = (end_reason IS NULL))
      ) WITH (fillfactor = 90)`);
    // fillfactor leaves room on each page so the once-a-minute last_active_at write stays a HOT update.
    await queryRunner.query(`CREATE UNIQUE INDEX auth_sessions_token_hash_key ON auth_sessions (token_hash)`);
    await queryRunner.query(`CREATE INDEX auth_sessions_user_active_idx ON auth_sessions (user_id, created_at DESC) WHERE ended_at IS NULL`);
    await queryRunner.query(`CREATE INDEX auth_sessions_user_ended_idx ON auth_sessions (user_id, ended_at DESC) WHERE ended_at IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX auth_sessions_open_expiry_idx ON auth_sessions (absolute_expires_at) WHERE ended_at IS NULL`);
    await queryRunner.query(`
      CREATE TABLE auth_user_session_state (
        user_id uuid PRIMARY KEY,
        epoch integer NOT NULL DEFAULT 0,
        epoch_reason varchar(32),
        updated_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE auth_audit_events (
        id uuid PRIMARY KEY,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        type varchar(40) NOT NULL,
        at timestamptz NOT NULL,
        actor_id uuid,
        actor_email varchar(320),
        user_id uuid,
        session_id uuid,
        ip varchar(64),
        user_agent text,
        reason varchar(32),
        note text,
        metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
        request_id varchar(64)
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX auth_audit_events_seq_key ON auth_audit_events (seq)`);
    await queryRunner.query(`CREATE INDEX auth_audit_events_user_seq_idx ON auth_audit_events (user_id, seq)`);
    await queryRunner.query(`CREATE INDEX auth_audit_events_type_seq_idx ON auth_audit_events (type, seq)`);
    await queryRunner.query(`CREATE INDEX auth_audit_events_at_brin ON auth_audit_events USING brin (at)`);
    await queryRunner.query(`
      CREATE TABLE auth_secrets (
        name varchar(64) PRIMARY KEY,
        value text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE auth_secrets`);
    await queryRunner.query(`DROP TABLE auth_audit_events`);
    await queryRunner.query(`DROP TABLE auth_user_session_state`);
    await queryRunner.query(`DROP TABLE auth_sessions`);
  }
}

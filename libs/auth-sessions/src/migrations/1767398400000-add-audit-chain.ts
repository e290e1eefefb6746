import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Makes the audit log append-only in PostgreSQL itself and hash-chained off the request path:
 * - triggers refuse UPDATE, DELETE and TRUNCATE on audit events, their seals and the prune
 *   checkpoints, whoever connects (a superuser can still disable triggers: `audit:verify` detects that);
 * - the one exception is the retention prune, `auth_audit_prune(days)`, which inserts a checkpoint whose
 *   trigger deletes the oldest sealed prefix of the chain and writes an `audit_pruned` event;
 * - events are inserted unchained; the sealer writes each committed event's place and hash into
 *   `auth_audit_seals`, an insert-only table, shortly after commit.
 */
export class AddAuditChain1767398400000 implements MigrationInterface {
  name = 'AddAuditChain1767398400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE auth_audit_seals (
        position bigint PRIMARY KEY,
        seq bigint NOT NULL,
        event_id uuid NOT NULL,
        hash bytea NOT NULL,
        sealed_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX auth_audit_seals_seq_key ON auth_audit_seals (seq)`);
    // The sealer's bookkeeping, not evidence: every event with seq <= watermark_seq has been sealed or
    // can never appear, so an unsealed event below it was inserted behind the sealer's back.
    await queryRunner.query(`
      CREATE TABLE auth_audit_seal_state (
        id smallint PRIMARY KEY CHECK (id = 1),
        watermark_seq bigint NOT NULL DEFAULT 0,
        pending_seq bigint,
        pending_since timestamptz,
        pending_xmax xid8,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`INSERT INTO auth_audit_seal_state (id) VALUES (1)`);
    await queryRunner.query(`
      CREATE TABLE auth_audit_checkpoints (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        created_at timestamptz NOT NULL DEFAULT now(),
        cut_off timestamptz NOT NULL,
        position bigint NOT NULL,
        hash bytea NOT NULL,
        deleted_events bigint NOT NULL
      )`);

    await queryRunner.query(`
      CREATE FUNCTION auth_audit_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        -- The prune deletes from inside the checkpoint trigger (nesting depth 2) with the flag set for
        -- that statement only; a client statement runs at depth 1, whatever it sets.
        IF TG_OP = 'DELETE' AND TG_ARGV[0] = 'prunable' AND pg_trigger_depth() > 1
           AND current_setting('signoff.audit_prune', true) = 'on' THEN
          RETURN OLD;
        END IF;
        RAISE EXCEPTION '% is append-only: % is refused (only the retention prune, auth_audit_prune(days), deletes)', TG_TABLE_NAME, TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    for (const [table, prunable] of [
      ['auth_audit_events', true],
      ['auth_audit_seals', true],
      ['auth_audit_checkpoints', false],
    ] as const) {
      const argument = prunable ? `'prunable'` : '';
      await queryRunner.query(
        `CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION auth_audit_reject_change(${argument})`,
      );
      await queryRunner.query(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION auth_audit_reject_change()`);
    }

    // The checkpoint row is computed here, whatever the inserting client put in it, so inserting a
    // checkpoint by hand is the same as running the prune.
    await queryRunner.query(`
      CREATE FUNCTION auth_audit_checkpoint_prune() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        chain_start bigint;
        first_kept bigint;
        cut bigint;
        cut_hash bytea;
        deleted bigint;
      BEGIN
        IF NEW.cut_off > now() - interval '30 days' THEN
          RAISE EXCEPTION 'the audit log keeps at least 30 days: cut-off % is too recent', NEW.cut_off
            USING ERRCODE = 'check_violation';
        END IF;
        -- One chain writer at a time: the sealer takes the same lock (AUDIT_CHAIN_LOCK_KEY).
        PERFORM pg_advisory_xact_lock(7312048812233002);
        SELECT coalesce((SELECT c.position FROM auth_audit_checkpoints c ORDER BY c.id DESC LIMIT 1), 0) INTO chain_start;
        -- The prune removes the oldest prefix of the chain, up to the first event it must keep. A seal
        -- whose event is missing stops it too, so a deletion stays visible to audit:verify.
        SELECT s.position INTO first_kept
          FROM auth_audit_seals s LEFT JOIN auth_audit_events e ON e.seq = s.seq
         WHERE s.position > chain_start AND (e.seq IS NULL OR e.at >= NEW.cut_off)
         ORDER BY s.position LIMIT 1;
        IF first_kept IS NULL THEN
          SELECT max(s.position) INTO cut FROM auth_audit_seals s;
        ELSE
          cut := first_kept - 1;
        END IF;
        IF cut IS NULL OR cut <= chain_start THEN
          RETURN NULL;
        END IF;
        SELECT s.hash INTO cut_hash FROM auth_audit_seals s WHERE s.position = cut;
        PERFORM set_config('signoff.audit_prune', 'on', true);
        DELETE FROM auth_audit_events e USING auth_audit_seals s
         WHERE s.seq = e.seq AND s.position > chain_start AND s.position <= cut;
        GET DIAGNOSTICS deleted = ROW_COUNT;
        DELETE FROM auth_audit_seals s WHERE s.position <= cut;
        PERFORM set_config('signoff.audit_prune', 'off', true);
        NEW.created_at := now();
        NEW.position := cut;
        NEW.hash := cut_hash;
        NEW.deleted_events := deleted;
        INSERT INTO auth_audit_events (id, type, at, metadata)
        VALUES (gen_random_uuid(), 'audit_pruned', now(), jsonb_build_object(
          'cutOff', NEW.cut_off,
          'deleted', deleted,
          'checkpoint', jsonb_build_object('position', cut, 'hash', encode(cut_hash, 'hex'))));
        RETURN NEW;
      END $$`);
    await queryRunner.query(
      `CREATE TRIGGER auth_audit_checkpoints_prune BEFORE INSERT ON auth_audit_checkpoints FOR EACH ROW EXECUTE FUNCTION auth_audit_checkpoint_prune()`,
    );
    await queryRunner.query(`
      CREATE FUNCTION auth_audit_prune(retention_days integer) RETURNS bigint LANGUAGE plpgsql AS $$
      DECLARE
        deleted bigint;
      BEGIN
        INSERT INTO auth_audit_checkpoints (cut_off, position, hash, deleted_events)
        VALUES (now() - make_interval(days => retention_days), 0, '\\x'::bytea, 0)
        RETURNING deleted_events INTO deleted;
        RETURN coalesce(deleted, 0);
      END $$`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION auth_audit_prune(integer)`);
    await queryRunner.query(`DROP TABLE auth_audit_checkpoints`);
    await queryRunner.query(`DROP FUNCTION auth_audit_checkpoint_prune()`);
    await queryRunner.query(`DROP TRIGGER auth_audit_events_append_only ON auth_audit_events`);
    await queryRunner.query(`DROP TRIGGER auth_audit_events_no_truncate ON auth_audit_events`);
    await queryRunner.query(`DROP TABLE auth_audit_seals`);
    await queryRunner.query(`DROP FUNCTION auth_audit_reject_change()`);
    await queryRunner.query(`DROP TABLE auth_audit_seal_state`);
  }
}

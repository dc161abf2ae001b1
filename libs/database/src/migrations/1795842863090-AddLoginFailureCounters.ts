import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Failed sign-ins for the login lockout (issue 8 item 4). Generated, then made UNLOGGED by hand (no WAL, emptied after
 * a crash: losing them only forgives some failures), as for the rate-limit counters.
 */
export class AddLoginFailureCounters1795842863090 implements MigrationInterface {
    name = 'AddLoginFailureCounters1795842863090';

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE UNLOGGED TABLE "login_failure_counters" (
                "key" character varying(200) NOT NULL,
                "failures" integer NOT NULL,
                "last_failed_at" TIMESTAMP WITH TIME ZONE,
                "last_succeeded_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "pk_login_failure_counters" PRIMARY KEY ("key")
            );
            COMMENT ON COLUMN "login_failure_counters"."key" IS 'pair:<username>:<address> or account:<username>.';
            COMMENT ON COLUMN "login_failure_counters"."failures" IS 'Failures since the last success (pair) or within the decay window (account).';
            COMMENT ON COLUMN "login_failure_counters"."last_failed_at" IS 'When the last failure was counted.';
            COMMENT ON COLUMN "login_failure_counters"."last_succeeded_at" IS 'When this account last signed in from this address (pair rows only).'
        `);
        await queryRunner.query(`
            COMMENT ON TABLE "login_failure_counters" IS 'Failed sign-ins per account and address, and per account, for the login lockout (UNLOGGED).'
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            COMMENT ON TABLE "login_failure_counters" IS NULL
        `);
        await queryRunner.query(`
            DROP TABLE "login_failure_counters"
        `);
    }
}

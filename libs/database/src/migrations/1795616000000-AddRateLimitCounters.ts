import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Rate-limit counters shared by every API process. Written by hand: UNLOGGED (no WAL, not replicated, emptied after a
 * crash), which suits counters of one minute; TypeORM cannot express that, and the drift test still checks the columns.
 */
export class AddRateLimitCounters1795616000000 implements MigrationInterface {
  name = 'AddRateLimitCounters1795616000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE UNLOGGED TABLE "rate_limit_counters" (
                "key" character varying(200) NOT NULL,
                "window_started_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "hits" integer NOT NULL,
                CONSTRAINT "pk_rate_limit_counters" PRIMARY KEY ("key")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_rate_limit_counters_window" ON "rate_limit_counters" ("window_started_at")
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_rate_limit_counters_window"`);
    await queryRunner.query(`DROP TABLE "rate_limit_counters"`);
  }
}

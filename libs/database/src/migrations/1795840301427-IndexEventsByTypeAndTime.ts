import { MigrationInterface, QueryRunner } from "typeorm";

/** The admin page's chart counts sign-in outcomes per hour (GET /api/admin/stats/sign-ins): one range scan per type. */
export class IndexEventsByTypeAndTime1795840301427 implements MigrationInterface {
    name = 'IndexEventsByTypeAndTime1795840301427'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE INDEX "ix_qr_session_events_type_time" ON "qr_session_events" ("type", "occurred_at")
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP INDEX "public"."ix_qr_session_events_type_time"
        `);
    }

}

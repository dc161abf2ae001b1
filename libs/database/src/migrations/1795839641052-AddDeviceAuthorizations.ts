import { MigrationInterface, QueryRunner } from "typeorm";

/** The OAuth device grant (RFC 8628): one row beside each QR session that POST /oauth/device_authorization created. */
export class AddDeviceAuthorizations1795839641052 implements MigrationInterface {
    name = 'AddDeviceAuthorizations1795839641052'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "device_authorizations" (
                "qr_session_id" character varying(22) NOT NULL,
                "client_id" character varying(64) NOT NULL,
                "user_code_hash" character(64) NOT NULL,
                "device_code_hash" character(64) NOT NULL,
                "poll_interval_seconds" integer NOT NULL DEFAULT '5',
                "last_polled_at" TIMESTAMP WITH TIME ZONE,
                "token_issued_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "pk_device_authorizations" PRIMARY KEY ("qr_session_id")
            );
            COMMENT ON COLUMN "device_authorizations"."qr_session_id" IS 'The QR session this grant drives.';
            COMMENT ON COLUMN "device_authorizations"."client_id" IS 'client_id of the OAuth client that asked; the token endpoint requires the same.';
            COMMENT ON COLUMN "device_authorizations"."user_code_hash" IS 'SHA-256 of the user code the phone types (unique: a new code is drawn on a clash).';
            COMMENT ON COLUMN "device_authorizations"."device_code_hash" IS 'SHA-256 of the device code, i.e. of the session secret; the token endpoint finds the grant by it.';
            COMMENT ON COLUMN "device_authorizations"."poll_interval_seconds" IS 'Seconds the client must wait between token requests; grows by 5 at each slow_down.';
            COMMENT ON COLUMN "device_authorizations"."last_polled_at" IS 'Last token request for this grant, to tell when the client polls too fast.';
            COMMENT ON COLUMN "device_authorizations"."token_issued_at" IS 'When the token endpoint handed out the access token: it does so once.'
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_device_authorizations_device_code_hash" ON "device_authorizations" ("device_code_hash")
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_device_authorizations_user_code_hash" ON "device_authorizations" ("user_code_hash")
        `);
        await queryRunner.query(`
            COMMENT ON TABLE "device_authorizations" IS 'OAuth device grants (RFC 8628): the client, user code and polling pace of a QR session made by POST /oauth/device_authorization.'
        `);
        await queryRunner.query(`
            ALTER TABLE "device_authorizations"
            ADD CONSTRAINT "fk_device_authorizations_qr_session" FOREIGN KEY ("qr_session_id") REFERENCES "qr_sessions"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "device_authorizations" DROP CONSTRAINT "fk_device_authorizations_qr_session"
        `);
        await queryRunner.query(`
            COMMENT ON TABLE "device_authorizations" IS NULL
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_device_authorizations_user_code_hash"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_device_authorizations_device_code_hash"
        `);
        await queryRunner.query(`
            DROP TABLE "device_authorizations"
        `);
    }

}

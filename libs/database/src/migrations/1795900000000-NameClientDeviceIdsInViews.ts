import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * In the tables `device_id` is a device's row id (devices.id); the views called the id a client chose (its X-Device-Id)
 * `device_id` too, so a join of the two found nothing and said nothing. The views now name it as the devices table
 * does, `client_device_id`. And the grants are described as they are: the admin page signs in by password as a `web`
 * device, and a CLI signed in by the device grant's user code holds a `qr` token.
 */
export class NameClientDeviceIdsInViews1795900000000 implements MigrationInterface {
  name = 'NameClientDeviceIdsInViews1795900000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER VIEW qr_sign_ins RENAME COLUMN phone_device_id TO phone_client_device_id`);
    await queryRunner.query(`ALTER VIEW qr_sign_ins RENAME COLUMN desktop_device_id TO desktop_client_device_id`);
    await queryRunner.query(`ALTER VIEW signed_in_devices RENAME COLUMN device_id TO client_device_id`);
    await queryRunner.query(
      `COMMENT ON COLUMN "access_tokens"."grant_type" IS 'password: signed in with a password (a phone, or the admin page); qr: signed in by a phone''s confirmation (a desktop by QR code, or a CLI or TV by its user code).'`,
    );
    await queryRunner.query(
      `COMMENT ON VIEW sign_ins_per_day IS 'Tokens issued per UTC day by method: password sign-ins, and sign-ins a phone confirmed (qr).'`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`COMMENT ON VIEW sign_ins_per_day IS 'Tokens issued per UTC day: password sign-ins of phones and QR sign-ins of desktops.'`);
    await queryRunner.query(`COMMENT ON COLUMN "access_tokens"."grant_type" IS 'password: signed in with a password; qr: a desktop signed in by QR.'`);
    await queryRunner.query(`ALTER VIEW signed_in_devices RENAME COLUMN client_device_id TO device_id`);
    await queryRunner.query(`ALTER VIEW qr_sign_ins RENAME COLUMN desktop_client_device_id TO desktop_device_id`);
    await queryRunner.query(`ALTER VIEW qr_sign_ins RENAME COLUMN phone_client_device_id TO phone_device_id`);
  }
}

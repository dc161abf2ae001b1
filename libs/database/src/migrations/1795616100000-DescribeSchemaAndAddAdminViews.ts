import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Makes the schema read well in psql: a comment on every table and column (generated from the entities' comments;
 * the generator's needless drop-and-recreate of keys around them was removed by hand), and views for the common
 * admin questions.
 */
export class DescribeSchemaAndAddAdminViews1795616100000 implements MigrationInterface {
  name = 'DescribeSchemaAndAddAdminViews1795616100000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`COMMENT ON TABLE "accounts" IS 'People who sign in. Passwords are kept only as scrypt hashes.'`);
    await queryRunner.query(`COMMENT ON TABLE "rate_limit_counters" IS 'Fixed-window request counters shared by all API processes (UNLOGGED).'`);
    await queryRunner.query(`COMMENT ON TABLE "devices" IS 'One install of a client (phone app, desktop browser) signed in to one account.'`);
    await queryRunner.query(`COMMENT ON TABLE "access_tokens" IS 'Issued access tokens (their jti). The token string is never stored; revoked_at says whether it still stands.'`);
    await queryRunner.query(`COMMENT ON TABLE "qr_sessions" IS 'QR sign-in attempts of desktops: pending, scanned, then confirmed, rejected, cancelled or expired.'`);
    await queryRunner.query(`COMMENT ON TABLE "qr_session_events" IS 'Audit trail of QR sessions: one row per event, written with the change it records.'`);
    await queryRunner.query(`COMMENT ON COLUMN "accounts"."id" IS 'Account id, shown to clients as account.id.'`);
    await queryRunner.query(`COMMENT ON COLUMN "accounts"."username" IS 'Sign-in name: 3-64 characters of a-z 0-9 . _ -, unique.'`);
    await queryRunner.query(`COMMENT ON COLUMN "accounts"."display_name" IS 'Name shown to people, e.g. on the desktop after a scan.'`);
    await queryRunner.query(`COMMENT ON COLUMN "accounts"."password_hash" IS 'scrypt$N$r$p$salt$hash: salted slow hash, never the password.'`);
    await queryRunner.query(`COMMENT ON COLUMN "accounts"."role" IS 'user, or admin (may use the admin API and page).'`);
    await queryRunner.query(`COMMENT ON COLUMN "accounts"."created_at" IS 'When the account was registered.'`);
    await queryRunner.query(`COMMENT ON COLUMN "accounts"."updated_at" IS 'When the row last changed.'`);
    await queryRunner.query(`COMMENT ON COLUMN "rate_limit_counters"."key" IS 'Policy and subject, e.g. login:ip:203.0.113.7.'`);
    await queryRunner.query(`COMMENT ON COLUMN "rate_limit_counters"."window_started_at" IS 'Start of the current window.'`);
    await queryRunner.query(`COMMENT ON COLUMN "rate_limit_counters"."hits" IS 'Requests counted in the window.'`);
    await queryRunner.query(`COMMENT ON COLUMN "devices"."id" IS 'Internal row id; never leaves the server.'`);
    await queryRunner.query(`COMMENT ON COLUMN "devices"."account_id" IS 'The account this device is signed in to.'`);
    await queryRunner.query(`COMMENT ON COLUMN "devices"."client_device_id" IS 'The id the client chose and sends as X-Device-Id (deviceId in the API).'`);
    await queryRunner.query(`COMMENT ON COLUMN "devices"."type" IS 'ios or android (phones), pc or web (desktops).'`);
    await queryRunner.query(`COMMENT ON COLUMN "devices"."name" IS 'Name the client gave itself, e.g. "iPhone 15".'`);
    await queryRunner.query(`COMMENT ON COLUMN "devices"."created_at" IS 'First sign-in of this device to this account.'`);
    await queryRunner.query(`COMMENT ON COLUMN "devices"."last_seen_at" IS 'Last authenticated request (updated at most once a minute).'`);
    await queryRunner.query(`COMMENT ON COLUMN "devices"."signed_out_at" IS 'When the device was signed out (its tokens revoked); cleared by a new sign-in.'`);
    await queryRunner.query(`COMMENT ON COLUMN "access_tokens"."id" IS 'The token''s jti claim.'`);
    await queryRunner.query(`COMMENT ON COLUMN "access_tokens"."account_id" IS 'The account the token signs in.'`);
    await queryRunner.query(`COMMENT ON COLUMN "access_tokens"."device_id" IS 'The device (devices.id) the token is bound to.'`);
    await queryRunner.query(`COMMENT ON COLUMN "access_tokens"."grant_type" IS 'password: signed in with a password; qr: a desktop signed in by QR.'`);
    await queryRunner.query(`COMMENT ON COLUMN "access_tokens"."issued_at" IS 'iat of the token.'`);
    await queryRunner.query(`COMMENT ON COLUMN "access_tokens"."expires_at" IS 'exp of the token.'`);
    await queryRunner.query(`COMMENT ON COLUMN "access_tokens"."revoked_at" IS 'When the token was revoked; null while it stands.'`);
    await queryRunner.query(`COMMENT ON COLUMN "access_tokens"."revoke_reason" IS 'logout, device_signed_out, or admin.'`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_sessions"."id" IS 'Public id, the only thing inside the QR code (128 random bits).'`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_sessions"."secret_hash" IS 'SHA-256 of the secret that only the creating desktop holds.'`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_sessions"."status" IS 'pending, scanned, confirmed, rejected, cancelled or expired; the last four never change.'`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_sessions"."desktop_client_device_id" IS 'The desktop''s X-Device-Id at creation.'`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_sessions"."desktop_device_type" IS 'pc or web.'`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_sessions"."desktop_device_name" IS 'Name the desktop gave itself.'`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_sessions"."desktop_ip" IS 'IP address the desktop created the session from, shown to the phone.'`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_sessions"."desktop_user_agent" IS 'User agent of the desktop, shown to the phone.'`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_sessions"."created_at" IS 'When the desktop asked for the session.'`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_sessions"."expires_at" IS 'When it expires unless finished (QR_TTL_SECONDS after creation).'`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_sessions"."scanned_at" IS 'First scan.'`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_sessions"."scanned_by_account_id" IS 'The account of the phone that scanned; the account that signs in.'`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_sessions"."scanned_by_device_id" IS 'The phone (devices.id) that scanned.'`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_sessions"."scan_ticket_hash" IS 'SHA-256 of the current scan ticket of the scanning phone.'`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_sessions"."scan_ticket_expires_at" IS 'When that ticket expires.'`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_sessions"."scan_ticket_used_at" IS 'When the ticket was spent by a confirm or reject.'`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_sessions"."confirmed_at" IS 'When the phone confirmed.'`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_sessions"."rejected_at" IS 'When the phone rejected.'`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_sessions"."cancelled_at" IS 'When the desktop cancelled.'`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_sessions"."expired_at" IS 'When the session was marked expired.'`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_sessions"."login_token_id" IS 'The desktop''s access token, minted at confirmation.'`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_session_events"."id" IS 'Order of events.'`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_session_events"."qr_session_id" IS 'The session.'`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_session_events"."type" IS 'created, scanned, confirmed, rejected, cancelled or expired.'`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_session_events"."occurred_at" IS 'When it happened.'`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_session_events"."ip" IS 'IP address of the request that caused it; null for expiry.'`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_session_events"."user_agent" IS 'User agent of that request.'`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_session_events"."account_id" IS 'The acting account, when signed in (the phone).'`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_session_events"."device_id" IS 'The acting device (devices.id), when signed in.'`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_session_events"."client_device_id" IS 'X-Device-Id of the acting client: the desktop for created/cancelled, the phone otherwise.'`);

    // Views for the questions an admin asks most (docs/database.md shows them in use).
    await queryRunner.query(`
      CREATE VIEW qr_sign_ins AS
      SELECT s.id,
             s.status,
             s.created_at,
             s.scanned_at,
             COALESCE(s.confirmed_at, s.rejected_at, s.cancelled_at, s.expired_at) AS finished_at,
             account.username,
             account.display_name,
             phone.client_device_id AS phone_device_id,
             phone.type AS phone_device_type,
             phone.name AS phone_device_name,
             s.desktop_client_device_id AS desktop_device_id,
             s.desktop_device_type,
             s.desktop_device_name,
             s.desktop_ip,
             s.desktop_user_agent
        FROM qr_sessions s
        LEFT JOIN accounts account ON account.id = s.scanned_by_account_id
        LEFT JOIN devices phone ON phone.id = s.scanned_by_device_id
    `);
    await queryRunner.query(`COMMENT ON VIEW qr_sign_ins IS 'Each QR session with the account and phone that scanned it and the desktop that asked, newest first when ordered by created_at.'`);
    await queryRunner.query(`
      CREATE VIEW qr_sign_ins_per_day AS
      SELECT (created_at AT TIME ZONE 'UTC')::date AS day, status AS outcome, count(*) AS sessions
        FROM qr_sessions
       GROUP BY 1, 2
    `);
    await queryRunner.query(`COMMENT ON VIEW qr_sign_ins_per_day IS 'QR sessions per UTC day by outcome (status).'`);
    await queryRunner.query(`
      CREATE VIEW sign_ins_per_day AS
      SELECT (issued_at AT TIME ZONE 'UTC')::date AS day, grant_type AS method, count(*) AS sign_ins
        FROM access_tokens
       GROUP BY 1, 2
    `);
    await queryRunner.query(`COMMENT ON VIEW sign_ins_per_day IS 'Tokens issued per UTC day: password sign-ins of phones and QR sign-ins of desktops.'`);
    await queryRunner.query(`
      CREATE VIEW signed_in_devices AS
      SELECT account.username,
             device.client_device_id AS device_id,
             device.type,
             device.name,
             device.created_at,
             device.last_seen_at,
             count(token.id) FILTER (WHERE token.revoked_at IS NULL AND token.expires_at > now()) AS active_tokens,
             count(token.id) FILTER (WHERE token.revoked_at IS NOT NULL) AS revoked_tokens
        FROM devices device
        JOIN accounts account ON account.id = device.account_id
        LEFT JOIN access_tokens token ON token.device_id = device.id
       GROUP BY account.username, device.id
    `);
    await queryRunner.query(`COMMENT ON VIEW signed_in_devices IS 'Every device of every account with how many of its tokens stand and how many were revoked.'`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP VIEW signed_in_devices`);
    await queryRunner.query(`DROP VIEW sign_ins_per_day`);
    await queryRunner.query(`DROP VIEW qr_sign_ins_per_day`);
    await queryRunner.query(`DROP VIEW qr_sign_ins`);
    await queryRunner.query(`COMMENT ON TABLE "accounts" IS NULL`);
    await queryRunner.query(`COMMENT ON TABLE "rate_limit_counters" IS NULL`);
    await queryRunner.query(`COMMENT ON TABLE "devices" IS NULL`);
    await queryRunner.query(`COMMENT ON TABLE "access_tokens" IS NULL`);
    await queryRunner.query(`COMMENT ON TABLE "qr_sessions" IS NULL`);
    await queryRunner.query(`COMMENT ON TABLE "qr_session_events" IS NULL`);
    await queryRunner.query(`COMMENT ON COLUMN "accounts"."id" IS NULL`);
    await queryRunner.query(`COMMENT ON COLUMN "accounts"."username" IS NULL`);
    await queryRunner.query(`COMMENT ON COLUMN "accounts"."display_name" IS NULL`);
    await queryRunner.query(`COMMENT ON COLUMN "accounts"."password_hash" IS NULL`);
    await queryRunner.query(`COMMENT ON COLUMN "accounts"."role" IS NULL`);
    await queryRunner.query(`COMMENT ON COLUMN "accounts"."created_at" IS NULL`);
    await queryRunner.query(`COMMENT ON COLUMN "accounts"."updated_at" IS NULL`);
    await queryRunner.query(`COMMENT ON COLUMN "rate_limit_counters"."key" IS NULL`);
    await queryRunner.query(`COMMENT ON COLUMN "rate_limit_counters"."window_started_at" IS NULL`);
    await queryRunner.query(`COMMENT ON COLUMN "rate_limit_counters"."hits" IS NULL`);
    await queryRunner.query(`COMMENT ON COLUMN "devices"."id" IS NULL`);
    await queryRunner.query(`COMMENT ON COLUMN "devices"."account_id" IS NULL`);
    await queryRunner.query(`COMMENT ON COLUMN "devices"."client_device_id" IS NULL`);
    await queryRunner.query(`COMMENT ON COLUMN "devices"."type" IS NULL`);
    await queryRunner.query(`COMMENT ON COLUMN "devices"."name" IS NULL`);
    await queryRunner.query(`COMMENT ON COLUMN "devices"."created_at" IS NULL`);
    await queryRunner.query(`COMMENT ON COLUMN "devices"."last_seen_at" IS NULL`);
    await queryRunner.query(`COMMENT ON COLUMN "devices"."signed_out_at" IS NULL`);
    await queryRunner.query(`COMMENT ON COLUMN "access_tokens"."id" IS NULL`);
    await queryRunner.query(`COMMENT ON COLUMN "access_tokens"."account_id" IS NULL`);
    await queryRunner.query(`COMMENT ON COLUMN "access_tokens"."device_id" IS NULL`);
    await queryRunner.query(`COMMENT ON COLUMN "access_tokens"."grant_type" IS NULL`);
    await queryRunner.query(`COMMENT ON COLUMN "access_tokens"."issued_at" IS NULL`);
    await queryRunner.query(`COMMENT ON COLUMN "access_tokens"."expires_at" IS NULL`);
    await queryRunner.query(`COMMENT ON COLUMN "access_tokens"."revoked_at" IS NULL`);
    await queryRunner.query(`COMMENT ON COLUMN "access_tokens"."revoke_reason" IS NULL`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_sessions"."id" IS NULL`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_sessions"."secret_hash" IS NULL`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_sessions"."status" IS NULL`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_sessions"."desktop_client_device_id" IS NULL`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_sessions"."desktop_device_type" IS NULL`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_sessions"."desktop_device_name" IS NULL`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_sessions"."desktop_ip" IS NULL`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_sessions"."desktop_user_agent" IS NULL`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_sessions"."created_at" IS NULL`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_sessions"."expires_at" IS NULL`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_sessions"."scanned_at" IS NULL`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_sessions"."scanned_by_account_id" IS NULL`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_sessions"."scanned_by_device_id" IS NULL`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_sessions"."scan_ticket_hash" IS NULL`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_sessions"."scan_ticket_expires_at" IS NULL`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_sessions"."scan_ticket_used_at" IS NULL`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_sessions"."confirmed_at" IS NULL`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_sessions"."rejected_at" IS NULL`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_sessions"."cancelled_at" IS NULL`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_sessions"."expired_at" IS NULL`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_sessions"."login_token_id" IS NULL`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_session_events"."id" IS NULL`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_session_events"."qr_session_id" IS NULL`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_session_events"."type" IS NULL`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_session_events"."occurred_at" IS NULL`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_session_events"."ip" IS NULL`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_session_events"."user_agent" IS NULL`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_session_events"."account_id" IS NULL`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_session_events"."device_id" IS NULL`);
    await queryRunner.query(`COMMENT ON COLUMN "qr_session_events"."client_device_id" IS NULL`);
  }
}

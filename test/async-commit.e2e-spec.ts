import { createQrSession, scan, signUpAndLogin, type SignedInDevice } from './support/factories';
import { startTestApp, type TestApp } from './support/test-app';

/**
 * QR_ASYNC_COMMIT (on by default): a new session and a scan commit without waiting for their WAL flush, every other
 * step waits (docs/database.md, "What a crash may undo"). What PostgreSQL does at a commit depends on the value of
 * `synchronous_commit` at that moment, so that is what is observed: a deferred trigger on the audit table, added to
 * this test's own database, runs as each transaction commits and notes the setting beside the audit row's type.
 */
describe.each([
  ['on (the default)', {}, { created: 'off', scanned: 'off', confirmed: 'on', rejected: 'on', cancelled: 'on' }],
  ['off', { QR_ASYNC_COMMIT: 'off' }, { created: 'on', scanned: 'on', confirmed: 'on', rejected: 'on', cancelled: 'on' }],
])('QR_ASYNC_COMMIT %s', (_, env: Record<string, string>, expected: Record<string, string>) => {
  let app: TestApp;
  let phone: SignedInDevice;

  beforeAll(async () => {
    app = await startTestApp(env);
    await app.dataSource.query(`
      CREATE TABLE commit_settings (event_type text NOT NULL, synchronous_commit text NOT NULL);
      CREATE FUNCTION note_commit_setting() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO commit_settings VALUES (NEW.type::text, current_setting('synchronous_commit'));
        RETURN NULL;
      END $$;
      CREATE CONSTRAINT TRIGGER note_commit_setting AFTER INSERT ON qr_session_events
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION note_commit_setting();`);
    phone = await signUpAndLogin(app);
  });
  afterAll(() => app.close());

  it('commits each step of a session with the setting it should', async () => {
    const confirmed = await createQrSession(app);
    const ticket = (await scan(app, phone, confirmed.session.id)).scanTicket;
    await app.http().post(`/api/qr-sessions/${confirmed.session.id}/confirm`).set(phone.headers).send({ scanTicket: ticket }).expect(200);

    const rejected = await createQrSession(app);
    const rejectTicket = (await scan(app, phone, rejected.session.id)).scanTicket;
    await app.http().post(`/api/qr-sessions/${rejected.session.id}/reject`).set(phone.headers).send({ scanTicket: rejectTicket }).expect(200);

    const cancelled = await createQrSession(app);
    await app.http().delete(`/api/qr-sessions/${cancelled.session.id}`).set('X-QR-Secret', cancelled.session.secret).expect(200);

    const rows: Array<{ event_type: string; synchronous_commit: string }> = await app.dataSource.query(
      'SELECT event_type, synchronous_commit FROM commit_settings',
    );
    // Three sessions created, two scanned: each commit noted once per audit row, and the same setting every time.
    expect(rows.map((row) => row.event_type).sort()).toEqual([
      'cancelled',
      'confirmed',
      'created',
      'created',
      'created',
      'rejected',
      'scanned',
      'scanned',
    ]);
    for (const row of rows) expect([row.event_type, row.synchronous_commit]).toEqual([row.event_type, expected[row.event_type]]);
  });
});

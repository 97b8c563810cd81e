import { createTestDatabase, type TestDatabase } from './support/database.js';
import { startTestApp, type TestApp } from './support/app.js';

describe('boot', () => {
  let db: TestDatabase;
  let t: TestApp;
  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestApp(db.url);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it('runs with synchronous_commit on, so an ack means the message is on disk', async () => {
    const { rows } = await db.query<{ synchronous_commit: string }>('SHOW synchronous_commit');
    expect(rows[0].synchronous_commit).toBe('on');
  });

  it('answers unknown API routes with a JSON 404', async () => {
    const res = await fetch(`${t.baseUrl}/api/nope`);
    expect(res.status).toBe(404);
    const body = (await res.json()) as { statusCode: number; error: string };
    expect(body).toMatchObject({ statusCode: 404, error: 'Not Found' });
  });
});

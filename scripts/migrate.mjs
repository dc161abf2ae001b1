// `npm run migration:run`: applies the pending migrations to DATABASE_URL the way every process does as it starts
// (libs/database/src/migrate.ts): in one transaction, taking turns with any process that starts at the same time.
// Built first by the npm script (`nest build api`).
import { createRequire } from 'node:module';

const url = process.env.DATABASE_URL;
if (!url) {
  console.error('migration:run needs DATABASE_URL (the embedded database of `npm start` is migrated as it starts)');
  process.exit(1);
}
const { runMigrations } = createRequire(import.meta.url)('../dist/libs/database/src/migrate.js');
try {
  const applied = await runMigrations(url);
  console.log(applied.length > 0 ? `applied: ${applied.join(', ')}` : 'nothing pending');
} catch (error) {
  console.error(`migration:run failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

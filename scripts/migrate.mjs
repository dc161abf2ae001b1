// `npm run migration:run` and `npm run migration:revert` (this script with `revert`): apply the pending migrations to
// DATABASE_URL, or undo the last one, the way every process migrates as it starts (libs/database/src/migrate.ts): in
// one transaction, taking turns with any process that starts at the same time. Built first by the npm scripts
// (`nest build api`).
import { createRequire } from 'node:module';

const command = process.argv[2] === 'revert' ? 'migration:revert' : 'migration:run';
const url = process.env.DATABASE_URL;
if (!url) {
  console.error(`${command} needs DATABASE_URL (the embedded database of \`npm start\` is migrated as it starts)`);
  process.exit(1);
}
const { runMigrations, revertLastMigration } = createRequire(import.meta.url)('../dist/libs/database/src/migrate.js');
try {
  if (command === 'migration:revert') {
    const reverted = await revertLastMigration(url);
    console.log(reverted ? `reverted: ${reverted}` : 'nothing to revert');
  } else {
    const applied = await runMigrations(url);
    console.log(applied.length > 0 ? `applied: ${applied.join(', ')}` : 'nothing pending');
  }
} catch (error) {
  console.error(`${command} failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

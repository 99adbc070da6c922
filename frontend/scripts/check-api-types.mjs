// Fails when src/api/schema.d.ts is not what openapi-typescript makes of ../openapi/openapi.json
// (run `npm run gen:api` after the contract changes).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const committed = join(root, 'src', 'api', 'schema.d.ts');
const scratch = mkdtempSync(join(tmpdir(), 'crm-api-types-'));
const fresh = join(scratch, 'schema.d.ts');
try {
  execFileSync(join(root, 'node_modules', '.bin', 'openapi-typescript'), [join(root, '..', 'openapi', 'openapi.json'), '-o', fresh], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (readFileSync(fresh, 'utf8') !== readFileSync(committed, 'utf8')) {
    console.error('src/api/schema.d.ts is stale: run `npm run gen:api` in frontend/ and commit the result.');
    process.exitCode = 1; // not exit(): the scratch folder is removed below
  } else {
    console.log('API types match openapi/openapi.json');
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

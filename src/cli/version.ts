/** plano's own version, read once from package.json (same relative place from src/cli/ and dist/cli/). */
import { createRequire } from 'node:module';

export const PLANO_VERSION = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

/** Test helpers: a Gateway from YAML text or a fixture file, and the URL vectors written as comments in fixtures. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { normalizeConfig } from '../../src/config/normalize.js';
import type { ClientApi } from '../../src/providers/types.js';
import { resolveGateway } from '../../src/resolve/resolve.js';
import type { Gateway } from '../../src/resolve/types.js';

export const FIXTURES = fileURLToPath(new URL('../../fixtures', import.meta.url));

export function gatewayFromYaml(text: string, env: Record<string, string | undefined> = {}): Gateway {
  return resolveGateway(normalizeConfig(parse(text)), { env });
}

export function readFixture(relativePath: string): string {
  return readFileSync(join(FIXTURES, relativePath), 'utf8');
}

export interface EndpointVector {
  /** Index of the provider entry the comment sits under (0-based, config order). */
  entry: number;
  /** That entry's `model:` as written. */
  model: string;
  clientApi: ClientApi;
  stream: boolean;
  url: string;
  /** The comment line, for failure messages. */
  line: number;
}

const ENTRY = /^\s*- model:\s*(\S+)/;
// `# Results in: URL` is the seed guide's wording for the chat-completions URL.
const VECTOR = /^\s*#\s*(Results in|chat_completions|messages|responses)( stream)?:\s*(\S+)\s*$/;

/** Every URL comment of a fixture, attributed to the provider entry it follows. */
export function endpointVectors(text: string): EndpointVector[] {
  const vectors: EndpointVector[] = [];
  let entry = -1;
  let model = '';
  text.split('\n').forEach((line, index) => {
    const start = ENTRY.exec(line);
    if (start) {
      entry++;
      model = start[1]!;
      return;
    }
    const vector = VECTOR.exec(line);
    if (!vector || entry < 0) return;
    const clientApi = vector[1] === 'Results in' ? 'chat_completions' : (vector[1] as ClientApi);
    vectors.push({ entry, model, clientApi, stream: vector[2] !== undefined, url: vector[3]!, line: index + 1 });
  });
  return vectors;
}

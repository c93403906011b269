/**
 * The findings formats, apart from their renderers: declaring a command's options loads nothing
 * else, and a command loads only the renderer it uses.
 */
import type { CheckedFile, RenderOptions } from './report.js';

export type FindingsRenderer = (files: readonly CheckedFile[], options: RenderOptions) => string;

export const FINDINGS_FORMATS = ['pretty', 'json', 'github', 'sarif'] as const;
export type FindingsFormat = (typeof FINDINGS_FORMATS)[number];

export function isFindingsFormat(value: string): value is FindingsFormat {
  return (FINDINGS_FORMATS as readonly string[]).includes(value);
}

const LOADERS: Readonly<Record<FindingsFormat, () => Promise<FindingsRenderer>>> = {
  pretty: async () => (await import('./pretty.js')).renderPretty,
  json: async () => (await import('./json.js')).renderJson,
  github: async () => (await import('./github.js')).renderGithub,
  sarif: async () => (await import('./sarif.js')).renderSarif,
};

export function loadRenderer(format: FindingsFormat): Promise<FindingsRenderer> {
  return LOADERS[format]();
}

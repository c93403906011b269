/** The findings formats, apart from their renderers so that declaring a command's options loads nothing else. */
export const FINDINGS_FORMATS = ['pretty', 'json', 'github', 'sarif'] as const;
export type FindingsFormat = (typeof FINDINGS_FORMATS)[number];

export function isFindingsFormat(value: string): value is FindingsFormat {
  return (FINDINGS_FORMATS as readonly string[]).includes(value);
}

/** Builds a located Diagnostic from what a stage knows: a JSON Pointer and which side of the pair. */
import type { Diagnostic, Severity } from './diagnostics.js';
import type { Anchor, ConfigDocument } from './document.js';

export interface FindingInit {
  severity: Severity;
  code: string;
  message: string;
  /** JSON Pointer of the offending node. */
  path: string;
  /** Underline the key (`acess_key:`) or the value (default). */
  anchor?: Anchor;
  suggestion?: string;
}

export function finding(document: ConfigDocument, init: FindingInit): Diagnostic {
  const span = document.locate(init.path, init.anchor ?? 'value');
  return {
    file: document.file,
    severity: init.severity,
    code: init.code,
    message: init.message,
    path: init.path,
    ...span,
    ...(init.suggestion !== undefined ? { suggestion: init.suggestion } : {}),
  };
}

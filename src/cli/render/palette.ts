/**
 * The colours of pretty output, by role. Without colour (a pipe, NO_COLOR, CI logs) every role
 * is the identity and chalk is not loaded at all: loading it costs a cold `plano validate`
 * more than a tenth of its own work. With colour, chalk is loaded synchronously (require of an
 * ES module, which Node ≥ 20.19 supports), so callers stay synchronous.
 */
import { createRequire } from 'node:module';

type Paint = (text: string) => string;

export interface Palette {
  location: Paint;
  code: Paint;
  gutter: Paint;
  suggestion: Paint;
  /** By severity: the word `error` / `warning` and the carets under the span. */
  severity: Record<'error' | 'warning', { label: Paint; underline: Paint }>;
  summary: Record<'errors' | 'warnings' | 'clean', Paint>;
}

const same: Paint = (text) => text;

const PLAIN: Palette = {
  location: same,
  code: same,
  gutter: same,
  suggestion: same,
  severity: { error: { label: same, underline: same }, warning: { label: same, underline: same } },
  summary: { errors: same, warnings: same, clean: same },
};

let coloured: Palette | undefined;

export function palette(color: boolean): Palette {
  if (!color) return PLAIN;
  if (!coloured) {
    const { Chalk } = createRequire(import.meta.url)('chalk') as typeof import('chalk');
    const chalk = new Chalk({ level: 1 });
    coloured = {
      location: chalk.bold,
      code: chalk.dim,
      gutter: chalk.dim,
      suggestion: chalk.cyan,
      severity: { error: { label: chalk.red.bold, underline: chalk.red }, warning: { label: chalk.yellow.bold, underline: chalk.yellow } },
      summary: { errors: chalk.red.bold, warnings: chalk.yellow.bold, clean: chalk.green.bold },
    };
  }
  return coloured;
}

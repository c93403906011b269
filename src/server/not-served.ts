/**
 * What `plano up` does not serve of a config, named at startup rather than passed over in silence
 * (DESIGN.md "Run-time parity"): `up` is the local stand-in for a Plano deployment's model
 * traffic, and these sections are Plano's other work. Shrinks as `up` learns them.
 */
import type { PlanoConfig } from '../config/types.js';

/** Top-level sections of the config that `up` leaves unserved. */
const NOT_SERVED_SECTIONS = [
  'prompt_targets',
  'prompt_guards',
  'system_prompt',
  'endpoints',
  'agents',
  'filters',
  'prompt_caching',
] as const;

/** The config's sections (and non-model listeners) that `up` does not serve, as they are named in the file. */
export function notServed(config: PlanoConfig): string[] {
  const sections: string[] = NOT_SERVED_SECTIONS.filter((key) => key in config.raw);
  const otherListeners = config.listeners.filter((l) => l.type !== 'model').map((l) => `listener ${l.name} (type ${l.type})`);
  return [...sections, ...otherListeners];
}

/** The one notice `up` prints, or '' when it serves the whole config. */
export function notServedNotice(config: PlanoConfig): string {
  const names = notServed(config);
  return names.length === 0 ? '' : `\nSections not served by plano up (model traffic only): ${names.join(', ')}.\n`;
}

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
  'ratelimits',
  'state_storage',
  'tracing',
] as const;

/** Sections `up` serves in some forms only: the form it serves, by section. */
const SERVED_WHEN: Readonly<Record<string, (value: unknown) => string | undefined>> = {
  // [issue 15] The memory store is served; postgres is not yet.
  state_storage: (value) => {
    const type = typeof value === 'object' && value !== null ? (value as { type?: unknown }).type : undefined;
    return type === 'memory' ? undefined : `state_storage (type ${String(type)})`;
  },
};

/** The config's sections (and non-model listeners) that `up` does not serve, as they are named in the file. */
export function notServed(config: PlanoConfig): string[] {
  const sections: string[] = NOT_SERVED_SECTIONS.filter((key) => key in config.raw).flatMap((key) => {
    const partly = SERVED_WHEN[key];
    if (!partly) return [key];
    const unserved = partly(config.raw[key]);
    return unserved === undefined ? [] : [unserved];
  });
  const otherListeners = config.listeners.filter((l) => l.type !== 'model').map((l) => `listener ${l.name} (type ${l.type})`);
  return [...sections, ...otherListeners];
}

/** The one notice `up` prints, or '' when it serves the whole config. */
export function notServedNotice(config: PlanoConfig): string {
  const names = notServed(config);
  return names.length === 0 ? '' : `\nSections not served by plano up (model traffic only): ${names.join(', ')}.\n`;
}

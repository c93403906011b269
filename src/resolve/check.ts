/**
 * A config's text checked as `validate` checks it: the config stages (src/config/check.ts) with
 * model references answered by this resolver's lookup (model-index.ts), so a reference is valid
 * exactly when `up` would serve it. The one entry point for checking a config.
 */
import { checkConfigText, type CheckOptions, type CheckResult } from '../config/check.js';
import { indexModels } from './model-index.js';

export type { CheckOptions, CheckResult } from '../config/check.js';

export function checkConfig(text: string, file: string, options: CheckOptions = {}): CheckResult {
  return checkConfigText(text, file, { ...options, models: indexModels });
}

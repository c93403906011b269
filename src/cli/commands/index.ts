/** Every `plano` subcommand. Each module exports one `CommandModule`. */
import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { routeCommand } from './route.js';
import { schemaCommand } from './schema.js';
import { validateCommand } from './validate.js';
import { expandCommand } from './expand.js';
import { modelsCommand } from './models.js';
import { upCommand } from './up.js';
import { agentCommand } from './agent.js';
import { obsCommand } from './obs.js';
import { initCommand } from './init.js';
import { downCommand, logsCommand } from './background.js';

export interface CommandModule {
  /** Adds the command to the program; the action stores its exit code through `setExitCode`. */
  register(program: Command, io: CliIo, setExitCode: (code: number) => void): void;
}

export const COMMANDS: CommandModule[] = [initCommand, validateCommand, expandCommand, modelsCommand, schemaCommand, routeCommand, upCommand, downCommand, logsCommand, obsCommand, agentCommand];

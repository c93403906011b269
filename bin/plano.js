#!/usr/bin/env node
// Thin launcher: everything lives in the built CLI (dist/), compiled by `npm install` (prepare).
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2));

#!/usr/bin/env node
// Thin launcher: everything lives in the built CLI (dist/), compiled by `npm install` (prepare).
import { main } from '../dist/cli/main.js';

// `plano expand | head` closes the pipe early: that is the reader being done, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

process.exitCode = await main(process.argv.slice(2));

#!/usr/bin/env node
import { adapters } from '../adapters/registry.ts';
import { main } from '../src/cli/main.ts';

process.exitCode = await main(process.argv.slice(2), { adapters });

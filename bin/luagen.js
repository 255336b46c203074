#!/usr/bin/env node
import { main } from "../dist/cli.js";

const code = await main(process.argv.slice(2));
// A failed write to stdout or stderr may already have set 2 (cli.ts, `writer`); it stays.
process.exitCode = Math.max(code, Number(process.exitCode ?? 0));

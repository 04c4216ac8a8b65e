/** Writes docs/CONFIG.md from the config schema (`npm run docs:config`); test/config/config-docs.test.ts checks it. */
import { writeFileSync } from 'node:fs';
import { configDocs } from '../src/config/config-docs.ts';

writeFileSync(new URL('../docs/CONFIG.md', import.meta.url), configDocs());

// Prints the AsyncAPI document: `npm run asyncapi -w @roster/contracts > asyncapi.json`.
import { readFileSync } from 'node:fs';
import { buildAsyncApiDocument } from './build.ts';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};
process.stdout.write(`${JSON.stringify(buildAsyncApiDocument(version), null, 2)}\n`);

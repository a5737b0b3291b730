// `npm run serve`: bundles the server and the Atlas worker (≈1 s), then runs the bundle in this process.
import { pathToFileURL } from 'node:url';
import { buildServer } from './bundle';

const entry = await buildServer();
const { startCli } = (await import(pathToFileURL(entry).href)) as { startCli: (argv: string[]) => void };
startCli(process.argv.slice(2));

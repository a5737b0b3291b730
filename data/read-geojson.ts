// Reads a whole GeoJSON file for the file-based analysis, with file-level problems as clear input issues.
import { readFileSync, statSync } from 'node:fs';
import { InputError, type CoverageSource, type Feature } from '../gis';

/** Reads a FeatureCollection (or a single Feature) from disk; throws InputError naming the file. */
export function readGeoJsonFile(path: string): CoverageSource {
  const fail = (message: string, field = 'file'): never => {
    throw new InputError([{ source: path, feature: -1, field, message }]);
  };
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return fail('file not found (找不到文件)');
  }
  if (stat.isDirectory()) fail('is a folder; expected a GeoJSON file');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return fail(`cannot be read: ${(e as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    return fail(`not valid JSON (${jsonErrorPlace(text, e as Error)}); expected a GeoJSON FeatureCollection`);
  }
  const obj = value as { type?: unknown; features?: unknown } | null;
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) fail('expected a GeoJSON FeatureCollection object', 'type');
  if (obj!.type === 'Feature') return { name: path, features: [obj as Feature] };
  if (obj!.type !== 'FeatureCollection') {
    fail(`found ${JSON.stringify(obj!.type ?? null)}; expected a GeoJSON FeatureCollection`, 'type');
  }
  if (!Array.isArray(obj!.features)) fail('expected an array of features', 'features');
  return { name: path, features: obj!.features as Feature[] };
}

/** Where JSON.parse gave up, as a line and column, with the text there; V8's own message quotes whole files. */
function jsonErrorPlace(text: string, e: Error): string {
  const m = /position (\d+)/.exec(e.message);
  const offset = m ? Number(m[1]) : text.search(/\S/);
  const before = text.slice(0, Math.max(0, offset));
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  const near = text.slice(offset, offset + 20).replace(/\s+/g, ' ');
  return `line ${line}, column ${column}, near "${near}"`;
}

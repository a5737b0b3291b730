// Shared helpers for the import tests: temp files and draining an ImportStream.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll } from 'vitest';
import { join } from 'node:path';
import type { ImportRequest } from '../../api/contract';
import type { Feature } from '../../gis/types';
import { openImport, type ImportStream } from '../../data/import/index';

export const tmp = mkdtempSync(join(tmpdir(), 'atlas-import-'));
// Registered while the importing test file is collected: each file gets its own copy of this module.
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

export function writeTmp(name: string, data: string | Uint8Array): string {
  const path = join(tmp, name);
  writeFileSync(path, data);
  return path;
}

export async function importAll(path: string, request: Omit<ImportRequest, 'file'> & { file?: string }): Promise<{ stream: ImportStream; features: Feature[] }> {
  const stream = await openImport(path, { file: path, ...request });
  const features: Feature[] = [];
  for await (const batch of stream.batches) features.push(...batch);
  return { stream, features };
}

/** Every issue must say where (file, row) and what (field, message naming what was expected or found). */
export function expectWellFormedIssues(stream: ImportStream, file: string): void {
  for (const i of stream.issues) {
    if (i.file !== file || typeof i.row !== 'number' || !i.field || !i.message) throw new Error(`malformed issue ${JSON.stringify(i)}`);
  }
}

/** Distance in metres between two lon/lat points (haversine). */
export function metres(a: number[], b: number[]): number {
  const r = Math.PI / 180;
  const dLat = (b[1] - a[1]) * r;
  const dLon = (b[0] - a[0]) * r;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[1] * r) * Math.cos(b[1] * r) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371008.8 * Math.asin(Math.sqrt(h));
}

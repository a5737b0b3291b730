// The writing side of writeReportJson for large reports: the head, then batches 0..batches-1 of the settlement list
// in order, then the tail. Batches arrive as text (encoded here) or as UTF-8 bytes already encoded by the thread
// that serialized them, from the caller and from a second serializer's port, in any order: each is written once all
// before it are. 'done' is posted once the file is complete.
import { closeSync, openSync, writeSync } from 'node:fs';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';

export interface ReportWriterData { path: string; head: string; tail: string; batches: number; part?: MessagePort }
export interface ReportBatch { k: number; data: string | Uint8Array }

const { path, head, tail, batches, part } = workerData as ReportWriterData;
const fd = openSync(path, 'w');
const waiting = new Map<number, string | Uint8Array>();
let next = 0;

function write(data: string | Uint8Array): void {
  if (typeof data === 'string') writeSync(fd, data);
  else for (let done = 0; done < data.length;) done += writeSync(fd, data, done);
}

function take({ k, data }: ReportBatch): void {
  waiting.set(k, data);
  for (let d = waiting.get(next); d !== undefined; d = waiting.get(next)) {
    waiting.delete(next++);
    write(d);
  }
  if (next === batches) finish();
}

function finish(): void {
  write(tail);
  closeSync(fd);
  part?.close();
  parentPort!.postMessage('done');
}

write(head);
if (batches === 0) finish();
parentPort!.on('message', take);
part?.on('message', take);

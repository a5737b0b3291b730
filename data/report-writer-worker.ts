// The writing half of writeReportJson for large reports: text arrives batch by batch and is encoded and written
// here while the other thread serializes the next batches. null ends the file.
import { closeSync, openSync, writeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

const fd = openSync((workerData as { path: string }).path, 'w');
parentPort!.on('message', (text: string | null) => {
  if (text !== null) {
    writeSync(fd, text);
    return;
  }
  closeSync(fd);
  parentPort!.postMessage('done');
});

// The writing half of writeReportJson for large reports: text (or bytes already encoded by another thread)
// arrives batch by batch and is encoded and written here while other threads serialize the next batches. null
// ends the file.
import { closeSync, openSync, writeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

const fd = openSync((workerData as { path: string }).path, 'w');
parentPort!.on('message', (text: string | Uint8Array | null) => {
  if (typeof text === 'string') {
    writeSync(fd, text);
    return;
  }
  if (text !== null) {
    for (let done = 0; done < text.length;) done += writeSync(fd, text, done);
    return;
  }
  closeSync(fd);
  parentPort!.postMessage('done');
});

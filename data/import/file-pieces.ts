// A file read a fresh piece at a time, as zip.ts's inflatePieces hands an archive's entry: readers that keep a
// piece while they read its records (.shp, .dbf, KML) take the file the same way whether it lies on disk or in a ZIP.
import { open as openFile, stat } from 'node:fs/promises';

const PIECE = 1 << 20;

/** The file's bytes 1 MiB at a time, each piece a buffer of its own, and the share of the file read so far. */
export async function* filePieces(path: string): AsyncGenerator<{ piece: Uint8Array; read: number }> {
  const size = (await stat(path)).size;
  const file = await openFile(path, 'r');
  try {
    let read = 0;
    for (;;) {
      const piece = new Uint8Array(PIECE);
      const { bytesRead } = await file.read(piece, 0, PIECE, null);
      if (bytesRead === 0) return;
      read += bytesRead;
      yield { piece: bytesRead === PIECE ? piece : piece.subarray(0, bytesRead), read: size ? Math.min(1, read / size) : 1 };
    }
  } finally {
    await file.close();
  }
}

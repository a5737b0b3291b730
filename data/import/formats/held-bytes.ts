// The bytes of a file read a piece at a time by a reader that takes its records in order (.dbf rows, .shp records):
// the bytes not read yet, each new piece after them, so that a record cut by a piece's end is read whole.
export class HeldBytes {
  buf: Uint8Array = new Uint8Array(0);
  /** Where the bytes not read yet begin in `buf`. */
  pos = 0;
  /** Whether the pieces have ended: `buf` then holds the rest of the file. */
  ended = false;

  constructor(private readonly pieces: AsyncIterator<Uint8Array>) {}

  /** Reads pieces until `length` bytes not read yet are held, or the pieces end. */
  async readTo(length: number): Promise<void> {
    while (!this.ended && this.buf.length - this.pos < length) await this.more();
  }

  /** Reads the next piece. */
  async more(): Promise<void> {
    const next = await this.pieces.next();
    if (next.done) {
      this.ended = true;
      return;
    }
    const rest = this.buf.subarray(this.pos);
    this.buf = rest.length ? Buffer.concat([rest, next.value]) : next.value;
    this.pos = 0;
  }

  /** Stops reading (an import that ends early). */
  async close(): Promise<void> {
    await this.pieces.return?.();
  }
}

// An XML tokenizer fed a piece at a time, for the large parts of an XLSX workbook (a sheet's rows, its shared
// strings) and KML documents: hundreds of megabytes of XML that a document parser would hold whole, as objects. It
// reports tags and text as byte ranges of the piece being read and decodes only what its handler asks for; a tag or
// text cut by a piece's end is kept and read with the next piece. Names are compared without their namespace prefix
// (x:row is row). No DTD is read and no entity but XML's own and character references is known. GBK bytes pass
// through unchanged: a character's later bytes are never `<`, `>`, quotes, `/`, `=` or `:`; they may be `[` or `]`,
// which the tokenizer reads only in a DOCTYPE and at a CDATA section's end.
import { decodeRange, utf8Slice, type TextEncoding } from '../encoding';
import { FileProblem } from '../issues';

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const QUOTE = 0x22;
const APOS = 0x27;
const COLON = 0x3a;
const EQUALS = 0x3d;
const BANG = 0x21;
const QUESTION = 0x3f;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;

/** A name as bytes, for XmlTag.is() and attribute lookups. */
export function xmlName(name: string): Uint8Array {
  return Uint8Array.from(name, (c) => c.charCodeAt(0));
}

/** The tag the handler is given: valid only during the call. */
export interface XmlTag {
  readonly bytes: Uint8Array;
  /** Its local name (after any prefix) is bytes [nameStart, nameEnd). */
  readonly nameStart: number;
  readonly nameEnd: number;
  /** Whether its local name is `name`. */
  is(name: Uint8Array): boolean;
  /** Whether it ends with `/>`. */
  readonly selfClosing: boolean;
  /** The attribute's value (entities decoded; UTF-8 unless told), by local name; undefined when absent. */
  attr(name: Uint8Array, encoding?: TextEncoding): string | undefined;
  /**
   * Whether the attribute (by local name) is there; if so its raw value is bytes [valueStart, valueEnd): for values
   * read as numbers or compared as bytes, without a string.
   */
  find(name: Uint8Array): boolean;
  readonly valueStart: number;
  readonly valueEnd: number;
  /**
   * find() of several names in one pass over the attributes: found[2k], found[2k + 1] are the raw value's range of
   * names[k], or -1, -1 when it is absent.
   */
  findAll(names: readonly Uint8Array[], found: Int32Array): void;
}

export interface XmlHandler {
  open(tag: XmlTag): void;
  /** A closing tag (`</name>`); self-closing tags call open() only. */
  close(tag: XmlTag): void;
  /** Text between tags, as raw bytes [start, end) of `bytes` (decode with xmlText(), passing `cdata` on). */
  text(bytes: Uint8Array, start: number, end: number, cdata: boolean): void;
  /** A `<!DOCTYPE …>` declaration, internal subset included, as bytes [start, end) of `bytes`. */
  doctype?(bytes: Uint8Array, start: number, end: number): void;
}

/**
 * Text from raw bytes: line ends normalized as XML reads them (CR LF and a lone CR are LF), then, outside a CDATA
 * section, XML's entities and character references decoded (a character reference to CR stays a CR).
 */
export function xmlText(bytes: Uint8Array, start: number, end: number, cdata = false, encoding: TextEncoding = 'utf8'): string {
  let raw = encoding === 'utf8' ? utf8Slice.call(bytes, start, end) : decodeRange(bytes, start, end, encoding);
  if (raw.includes('\r')) raw = raw.replace(/\r\n?/g, '\n');
  return !cdata && raw.includes('&') ? decodeEntities(raw) : raw;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (ref[0] !== '#') return ENTITIES[ref] ?? whole;
    const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

class Tag implements XmlTag {
  bytes: Uint8Array = new Uint8Array(0);
  /** The local name's range, and the attributes' (after the name, before `>` or `/>`). */
  nameStart = 0;
  nameEnd = 0;
  attrsEnd = 0;
  selfClosing = false;
  valueStart = 0;
  valueEnd = 0;

  is(name: Uint8Array): boolean {
    const b = this.bytes, s = this.nameStart;
    if (this.nameEnd - s !== name.length) return false;
    for (let k = 0; k < name.length; k++) if (b[s + k] !== name[k]) return false;
    return true;
  }

  find(name: Uint8Array): boolean {
    const found = this.one;
    this.names[0] = name;
    this.findAll(this.names, found);
    this.valueStart = found[0];
    this.valueEnd = found[1];
    return found[0] >= 0;
  }

  private readonly one = new Int32Array(2);
  private readonly names: Uint8Array[] = [new Uint8Array(0)];

  findAll(names: readonly Uint8Array[], found: Int32Array): void {
    found.fill(-1);
    const b = this.bytes, end = this.attrsEnd;
    let i = this.nameEnd;
    while (i < end) {
      while (i < end && b[i] <= 0x20) i++;
      const start = i;
      while (i < end && b[i] !== EQUALS && b[i] > 0x20) i++;
      let local = start;
      for (let k = start; k < i; k++) if (b[k] === COLON) local = k + 1;
      const nameEnd = i;
      while (i < end && b[i] !== QUOTE && b[i] !== APOS) i++;
      const quote = b[i];
      const valueStart = ++i;
      while (i < end && b[i] !== quote) i++;
      const valueEnd = i++;
      if (valueEnd > end) break;
      for (let n = 0; n < names.length; n++) {
        const name = names[n];
        if (nameEnd - local !== name.length || found[2 * n] >= 0) continue;
        let same = true;
        for (let k = 0; k < name.length && same; k++) same = b[local + k] === name[k];
        if (same) {
          found[2 * n] = valueStart;
          found[2 * n + 1] = valueEnd;
        }
      }
    }
  }

  attr(name: Uint8Array, encoding: TextEncoding = 'utf8'): string | undefined {
    return this.find(name) ? xmlText(this.bytes, this.valueStart, this.valueEnd, false, encoding) : undefined;
  }
}

/**
 * Tokenizes XML pushed a piece at a time. `where` names the part in messages (e.g. "xl/worksheets/sheet1.xml"),
 * `whole` what a complete one is. Throws FileProblem for XML that ends inside a tag.
 */
export class XmlStream {
  private rest: Uint8Array = new Uint8Array(0);
  private readonly tag = new Tag();
  /** Bytes of the input before the buffer being scanned: messages give a byte's place in the whole input. */
  private offset = 0;

  constructor(private readonly handler: XmlHandler, private readonly where: string, private readonly whole = 'XML part (damaged workbook?)') {}

  push(piece: Uint8Array): void {
    const bytes = this.rest.length ? Buffer.concat([this.rest, piece]) : piece;
    const used = this.scan(bytes, false);
    this.offset += used;
    // Kept as a copy: the piece's buffer may be reused by whoever pushed it.
    this.rest = used < bytes.length ? Uint8Array.prototype.slice.call(bytes, used) : new Uint8Array(0);
  }

  end(): void {
    const bytes = this.rest;
    this.rest = new Uint8Array(0);
    if (this.scan(bytes, true) < bytes.length) throw new FileProblem(`${this.where} ends inside a tag; expected a complete ${this.whole}`);
  }

  /** Reports what `bytes` holds in full; returns where the first unfinished token starts (bytes.length: none). */
  private scan(b: Uint8Array, final: boolean): number {
    const n = b.length;
    const { handler, tag } = this;
    tag.bytes = b;
    let i = 0;
    while (i < n) {
      if (b[i] !== LT) {
        const start = i;
        while (i < n && b[i] !== LT) i++;
        // Text cut by the piece's end is reported whole with the next piece.
        if (i === n && !final) return start;
        handler.text(b, start, i, false);
        continue;
      }
      const start = i;
      const next = i + 1 < n ? b[i + 1] : -1;
      if (next === BANG || next === QUESTION) {
        const end = this.special(b, i);
        if (end < 0) return start;
        i = end;
        continue;
      }
      const closing = next === SLASH;
      let k = closing ? i + 2 : i + 1;
      const nameStart = k;
      let local = k;
      while (k < n && b[k] > 0x20 && b[k] !== GT && b[k] !== SLASH) {
        if (b[k] === COLON) local = k + 1;
        k++;
      }
      const nameEnd = k;
      // The tag's end, past quoted attribute values (which may hold '>').
      let quote = 0;
      while (k < n && (quote !== 0 || b[k] !== GT)) {
        const c = b[k];
        if (quote !== 0) {
          if (c === quote) quote = 0;
        } else if (c === QUOTE || c === APOS) quote = c;
        k++;
      }
      if (k >= n) return start;
      if (nameEnd === nameStart) throw new FileProblem(`${this.where}: malformed tag at byte ${this.offset + start}; expected an XML element`);
      tag.nameStart = local;
      tag.nameEnd = nameEnd;
      tag.selfClosing = b[k - 1] === SLASH;
      tag.attrsEnd = tag.selfClosing ? k - 1 : k;
      if (closing) handler.close(tag);
      else handler.open(tag);
      i = k + 1;
    }
    return n;
  }

  /** `<!-- -->`, `<![CDATA[ ]]>` (its text reported), `<!DOCTYPE >` and `<? ?>`: where it ends, or -1 when cut. */
  private special(b: Uint8Array, i: number): number {
    const avail = b.length - i;
    // Whether the bytes at i begin `s`, as far as they go.
    const opens = (s: string) => {
      for (let k = 0; k < Math.min(avail, s.length); k++) if (b[i + k] !== s.charCodeAt(k)) return false;
      return true;
    };
    const find = (s: string, from: number) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).indexOf(s, from, 'latin1');
    const past = (s: string, from: number) => {
      const end = find(s, from);
      return end < 0 ? -1 : end + s.length;
    };
    if (opens('<!--')) return avail < 4 ? -1 : past('-->', i + 4);
    if (opens('<![CDATA[')) {
      if (avail < 9) return -1;
      const end = find(']]>', i + 9);
      if (end < 0) return -1;
      this.handler.text(b, i + 9, end, true);
      return end + 3;
    }
    if (opens('<?')) return past('?>', i + 2);
    if (opens('<!DOCTYPE')) {
      const end = this.doctypeEnd(b, i + 9);
      if (end >= 0) this.handler.doctype?.(b, i, end);
      return end;
    }
    return past('>', i + 2);
  }

  /** Past the `>` that ends a DOCTYPE begun before `from`: its internal subset `[…]` and quoted strings may hold `>`. */
  private doctypeEnd(b: Uint8Array, from: number): number {
    let quote = 0;
    let subset = false;
    for (let k = from; k < b.length; k++) {
      const c = b[k];
      if (quote !== 0) {
        if (c === quote) quote = 0;
      } else if (c === QUOTE || c === APOS) quote = c;
      else if (c === LBRACKET) subset = true;
      else if (c === RBRACKET) subset = false;
      else if (c === GT && !subset) return k + 1;
    }
    return -1;
  }
}

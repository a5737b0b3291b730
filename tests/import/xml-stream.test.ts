// The XML tokenizer the XLSX and KML readers stream documents through: the same tags and text whatever pieces the XML comes in.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { xmlName, xmlText, XmlStream, type XmlHandler } from '../../data/import/formats/xml-stream';
import { FileProblem } from '../../data/import/issues';

const ATTRS = ['r', 't', 's', 'ref', 'id'].map((n) => [n, xmlName(n)] as const);

/** Every event as text: open tags with their attributes, closing tags, and text (adjacent text joined). */
function events(xml: Uint8Array, cuts: number[]): string[] {
  const out: string[] = [];
  const name = (tag: { bytes: Uint8Array; is(n: Uint8Array): boolean }) => ['row', 'c', 'v', 't', 'is', 'sheetData', 'worksheet', 'si', 'x', 'empty'].find((n) => tag.is(xmlName(n))) ?? '?';
  const handler: XmlHandler = {
    open(tag) {
      const attrs = ATTRS.flatMap(([n, bytes]) => (tag.attr(bytes) !== undefined ? [`${n}=${tag.attr(bytes)}`] : []));
      out.push(`<${name(tag)}${attrs.map((a) => ` ${a}`).join('')}${tag.selfClosing ? '/' : ''}>`);
    },
    close(tag) {
      out.push(`</${name(tag)}>`);
    },
    text(bytes, start, end, cdata) {
      const text = xmlText(bytes, start, end, cdata);
      if (out.length && out[out.length - 1].startsWith('"')) out[out.length - 1] = `${out[out.length - 1].slice(0, -1)}${text}"`;
      else out.push(`"${text}"`);
    },
  };
  const stream = new XmlStream(handler, 'test.xml');
  let at = 0;
  for (const cut of [...cuts, xml.length]) {
    stream.push(xml.subarray(at, cut));
    at = cut;
  }
  stream.end();
  return out;
}

const DOC = Buffer.from([
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n',
  '<!-- a comment with <tags> inside -->',
  '<!DOCTYPE x:worksheet [<!ENTITY e "a>]b"> <!ENTITY f \'>\'>]>',
  '<x:worksheet xmlns:x="urn:x"><x:sheetData>',
  '<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t xml:space="preserve"> 刘屋 &amp; 上坪 &#x4E2D;&#20013; </x:t></x:is></x:c>',
  '<x:c r="B1" s="3"><x:v>42.5</x:v></x:c><x:c r=\'C1\' t="s"/><x:c r="D1" ref="a>b"><x:v><![CDATA[<raw & text>]]></x:v></x:c></x:row>',
  '<x:row r="2"><x:c r="A2"><x:v>1</x:v></x:c><empty/></x:row>',
  '<x:row r="3">line one\r\nline two\rend</x:row>',
  '</x:sheetData></x:worksheet>\n',
].join(''));

describe('XmlStream', () => {
  it('reports tags by local name, attributes and text decoded, CDATA as it is, comments and declarations skipped', () => {
    expect(events(DOC, [])).toEqual([
      '"\n"', '<worksheet>', '<sheetData>',
      '<row r=1>', '<c r=A1 t=inlineStr>', '<is>', '<t>', '" 刘屋 & 上坪 中中 "', '</t>', '</is>', '</c>',
      '<c r=B1 s=3>', '<v>', '"42.5"', '</v>', '</c>', '<c r=C1 t=s/>', '<c r=D1 ref=a>b>', '<v>', '"<raw & text>"', '</v>', '</c>', '</row>',
      '<row r=2>', '<c r=A2>', '<v>', '"1"', '</v>', '</c>', '<empty/>', '</row>',
      '<row r=3>', '"line one\nline two\nend"', '</row>',
      '</sheetData>', '</worksheet>', '"\n"',
    ]);
  });

  it('gives the same events however the bytes are cut into pieces', () => {
    const whole = events(DOC, []);
    fc.assert(fc.property(fc.uniqueArray(fc.integer({ min: 1, max: DOC.length - 1 }), { maxLength: 40 }), (cuts) => {
      expect(events(DOC, cuts.sort((a, b) => a - b))).toEqual(whole);
    }), { numRuns: 300 });
    // Every cut at once: one byte a piece.
    expect(events(DOC, Array.from({ length: DOC.length - 1 }, (_, k) => k + 1))).toEqual(whole);
  });

  it('hands a DOCTYPE to the handler whole, its internal subset included', () => {
    const seen: string[] = [];
    const stream = new XmlStream({ open() {}, close() {}, text() {}, doctype: (bytes, start, end) => seen.push(Buffer.from(bytes.subarray(start, end)).toString()) }, 'test.xml');
    for (let k = 0; k < DOC.length; k += 7) stream.push(DOC.subarray(k, k + 7));
    stream.end();
    expect(seen).toEqual(['<!DOCTYPE x:worksheet [<!ENTITY e "a>]b"> <!ENTITY f \'>\'>]>']);
  });

  it('XML that ends inside a tag is a file problem naming the part', () => {
    for (const cut of ['<a><b r="1"', '<a><!-- open comment', '<a><![CDATA[ open', '<a><b r="un>closed']) {
      expect(() => events(Buffer.from(cut), [])).toThrow(FileProblem);
      expect(() => events(Buffer.from(cut), [])).toThrow(/test\.xml ends inside a tag/);
    }
    expect(() => events(Buffer.from('<a>< b/></a>'), [])).toThrow('test.xml: malformed tag at byte 3; expected an XML element');
    expect(() => events(Buffer.from('<a><b/>< b/></a>'), [7])).toThrow('test.xml: malformed tag at byte 7; expected an XML element');
  });
});

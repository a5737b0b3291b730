// The streaming KML reader against the fast-xml-parser reader it replaced (kml-reference.ts) on seeded documents,
// UTF-8 and GBK, bare and zipped; then what only the streaming reader does: document order, and the messages for
// documents that are not well-formed.
import fc from 'fast-check';
import { strToU8, zipSync } from 'fflate';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { MAX_KML_DEPTH, openKml, openKmz } from '../../data/import/formats/kml';
import { FileProblem } from '../../data/import/issues';
import type { Source, SourceOptions, SourceRecord } from '../../data/import/source';
import { openKml as referenceKml, openKmz as referenceKmz } from './kml-reference';
import { writeTmp } from './helpers';

type Open = (path: string, options: SourceOptions) => Promise<Source>;
type Read = { records: SourceRecord[] } | { problem: string };

async function read(open: Open, path: string): Promise<Read> {
  try {
    const source = await open(path, { displayName: 'test.kml' });
    const records: SourceRecord[] = [];
    for await (const r of source.records) records.push(r);
    if (open === openKml || open === openKmz) expect(source.progress()).toBe(1);
    return { records };
  } catch (e) {
    if (!(e instanceof FileProblem)) throw e;
    return { problem: e.message };
  }
}

function rng(seed: number) {
  let s = seed >>> 0;
  const next = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T,>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)] };
}
type Rng = ReturnType<typeof rng>;

const UNITS = ['a', 'Z', ' ', '&', '<', '>', '"', "'", '刘', '屋', '村', '😀', '\t', '\n', '0', '.', '-', 'é', '户'];
const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function text(r: Rng): string {
  const s = Array.from({ length: r.int(10) }, () => r.pick(UNITS)).join('');
  // The reference kept a CDATA section's white space at its ends, which this reader trims as it trims text.
  return r.int(4) === 0 ? `<![CDATA[${s.trim()}]]>` : escape(s);
}

function tuple(r: Rng): string {
  const x = (114 + r.next() * 2).toFixed(r.int(8));
  const y = (24.5 + r.next() * 2).toFixed(6);
  return r.int(3) === 0 ? `${x},${y},${r.int(500)}` : `${x},${y}`;
}

/** Coordinates of `n` tuples, spaced as writers space them; now and then one a reader must refuse. */
function coords(r: Rng, n: number): string {
  const gap = () => r.pick([' ', '\n', '  ', '\t', '\n        ']);
  const tuples = Array.from({ length: n }, () => tuple(r));
  if (r.int(25) === 0) tuples[r.int(n)] = r.pick(['east,north', '115.4;25.9', 'NaN,25', '115.4', 'Infinity,25.95']);
  return `<coordinates>${r.int(2) ? gap() : ''}${tuples.join(gap())}${r.int(2) ? gap() : ''}</coordinates>`;
}

const point = (r: Rng) => `<Point>${r.int(30) === 0 ? '' : coords(r, r.int(40) === 0 ? 2 : 1)}</Point>`;
const line = (r: Rng) => `<LineString><tessellate>1</tessellate>${coords(r, 2 + r.int(4))}</LineString>`;
const ring = (r: Rng) => `<LinearRing>${coords(r, 4 + r.int(5))}</LinearRing>`;
const polygon = (r: Rng) =>
  `<Polygon>${r.int(30) === 0 ? '' : `<outerBoundaryIs>${ring(r)}</outerBoundaryIs>`}${Array.from({ length: r.int(3) }, () => `<innerBoundaryIs>${ring(r)}</innerBoundaryIs>`).join('')}</Polygon>`;

/** A MultiGeometry whose members come in the order the reference reads them: points, polygons, lines, nested ones. */
function multi(r: Rng, depth: number): string {
  const kind = r.int(3);
  const parts = [
    ...Array.from({ length: kind !== 1 ? 1 + r.int(3) : 0 }, () => point(r)),
    ...Array.from({ length: kind !== 0 ? 1 + r.int(3) : 0 }, () => polygon(r)),
    ...Array.from({ length: kind === 2 ? r.int(2) : 0 }, () => line(r)),
    ...(depth < 2 && r.int(5) === 0 ? [multi(r, depth + 1)] : []),
  ];
  return `<MultiGeometry>${parts.join('')}</MultiGeometry>`;
}

let ids = 0;
function placemark(r: Rng): string {
  const parts: string[] = [];
  if (r.int(6)) parts.push(`<name>${text(r)}</name>`);
  if (r.int(3) === 0) parts.push(`<description>${text(r)}</description>`);
  if (r.int(3) === 0) parts.push('<styleUrl>#s1</styleUrl><visibility>1</visibility>');
  if (r.int(4)) {
    const data = Array.from({ length: r.int(5) }, (_, k) => `<Data name="${escape(r.pick(['户数', '县区', 'a&b', `f${k}`]))}">${r.int(8) ? `<value>${text(r)}</value>` : '<displayName>x</displayName>'}</Data>`);
    const simple = r.int(3) === 0 ? [`<SchemaData schemaUrl="#s">${Array.from({ length: 1 + r.int(3) }, (_, k) => `<SimpleData name="s${k}">${text(r)}v</SimpleData>`).join('')}</SchemaData>`] : [];
    parts.push(`<ExtendedData>${[...data, ...simple].join('')}</ExtendedData>`);
  }
  const g = r.int(10);
  if (g < 5) parts.push(point(r));
  else if (g < 7) parts.push(polygon(r));
  else if (g === 7) parts.push(line(r));
  else if (g === 8) parts.push(multi(r, 0));
  const id = r.int(3) ? ` id="${r.int(4) === 0 ? 'p&amp;' : 'p'}${ids++}"` : '';
  return `<Placemark${id}>${parts.join(r.int(2) ? '\n' : '')}</Placemark>\n`;
}

/** A container's own placemarks before its Folders: the reference's order, which the streaming reader's agrees with then. */
function container(r: Rng, depth: number, size: number): string {
  const own = Array.from({ length: (depth === 0 ? 1 : 0) + r.int(size) }, () => placemark(r)).join('');
  const folders = depth < 3 ? Array.from({ length: r.int(3) }, () => `<Folder><name>${text(r)}</name>${container(r, depth + 1, size)}</Folder>\n`).join('') : '';
  return `${own}${folders}`;
}

function documentOf(seed: number, size = 6): string {
  const r = rng(seed);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<!-- generated -->\n<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>${text(r)}</name>\n${container(r, 0, size)}</Document></kml>\n`;
}

describe('streaming KML reader', () => {
  it('reads seeded documents as the reader it replaced did: UTF-8, GBK, and zipped', async () => {
    const seen = new Set<string>();
    for (let seed = 1; seed <= 40; seed++) {
      const xml = documentOf(seed);
      const utf8 = writeTmp(`seed-${seed}.kml`, xml);
      const expected = await read(referenceKml, utf8);
      if (!('records' in expected)) throw new Error(`seed ${seed}: ${expected.problem}`);
      for (const r of expected.records) seen.add(r.problem ? 'problem' : String((r.geometry as { type?: string } | null)?.type));
      expect(await read(openKml, utf8), `seed ${seed}`).toEqual(expected);
      if (seed % 4 === 0) {
        const gbk = writeTmp(`seed-${seed}-gbk.kml`, iconv.encode(xml.replace('UTF-8', 'GBK'), 'gb18030'));
        expect(await read(openKml, gbk), `seed ${seed} GBK`).toEqual(await read(referenceKml, gbk));
      }
      if (seed % 5 === 0) {
        const kmz = writeTmp(`seed-${seed}.kmz`, zipSync({ 'doc.kml': strToU8(xml), 'files/a.png': new Uint8Array(8) }));
        expect(await read(openKmz, kmz), `seed ${seed} KMZ`).toEqual(await read(referenceKmz, kmz));
      }
    }
    expect([...seen].sort()).toEqual(['GeometryCollection', 'LineString', 'MultiPoint', 'MultiPolygon', 'Point', 'Polygon', 'problem', 'undefined']);
  });

  it('reads a document of several megabytes read and inflated in many pieces the same way', async () => {
    const xml = documentOf(7, 8000);
    expect(xml.length).toBeGreaterThan(3 << 20);
    const path = writeTmp('big.kml', xml);
    const expected = await read(referenceKml, path);
    expect(await read(openKml, path)).toEqual(expected);
    const kmz = writeTmp('big.kmz', zipSync({ 'doc.kml': strToU8(xml) }));
    expect(await read(openKmz, kmz)).toEqual(expected);
  });

  it('reads any <coordinates> text as the reference did: the same positions, or the same tuple refused', async () => {
    const unit = fc.constantFrom('1', '2', '5', '.', '-', '+', ',', ',', ' ', ' ', '\t', '\n', '\u3000', '\u00a0', '\u2028', 'e', 'x', '0x1f', 'Infinity', '_');
    await fc.assert(fc.asyncProperty(fc.array(unit, { maxLength: 40 }), fc.constantFrom('Point', 'LineString'), async (units, type) => {
      const path = writeTmp('coords.kml', `<kml><Placemark><${type}><coordinates>${units.join('')}</coordinates></${type}></Placemark></kml>`);
      expect(await read(openKml, path)).toEqual(await read(referenceKml, path));
    }), { numRuns: 400 });
  });

  it('keeps document order: placemarks after a Folder, and geometries of mixed types', async () => {
    const path = writeTmp('order.kml', `<kml><Document>
      <Folder><Placemark id="a"><Point><coordinates>115,25</coordinates></Point></Placemark></Folder>
      <Placemark id="b"><MultiGeometry><LineString><coordinates>115,25 116,26</coordinates></LineString><Point><coordinates>114,24</coordinates></Point></MultiGeometry></Placemark>
    </Document></kml>`);
    const got = await read(openKml, path);
    expect(got).toEqual({ records: [
      { row: 0, id: 'a', properties: {}, geometry: { type: 'Point', coordinates: [115, 25] } },
      { row: 1, id: 'b', properties: {}, geometry: { type: 'GeometryCollection', geometries: [
        { type: 'LineString', coordinates: [[115, 25], [116, 26]] }, { type: 'Point', coordinates: [114, 24] }] } },
    ] });
  });

  it('reads only placemarks in the kml root, Documents and Folders, and only their own geometries and attributes', async () => {
    const path = writeTmp('scope.kml', `<?xml version="1.0"?><kml xmlns:gx="http://www.google.com/kml/ext/2.2">
      <NetworkLink><Placemark id="not-read"><Point><coordinates>1,1</coordinates></Point></Placemark></NetworkLink>
      <Placemark id="root"><name> 上坪 &amp; 下坪 &#x6751; </name><Snippet><name>not the name</name></Snippet>
        <ExtendedData><Data name="户数"><value>36</value></Data><Data name="空"/><gx:Extra><Data name="x"><value>no</value></Data></gx:Extra></ExtendedData>
        <Style><Point><coordinates>9,9</coordinates></Point></Style>
        <gx:Point><coordinates>115.5,25.5</coordinates></gx:Point>
      </Placemark></kml>`);
    expect(await read(openKml, path)).toEqual({ records: [{
      row: 0, id: 'root', properties: { name: '上坪 & 下坪 村', 户数: '36', 空: null },
      geometry: { type: 'Point', coordinates: [115.5, 25.5] },
    }] });
  });

  it('names what makes a document not well-formed, and where', async () => {
    const problem = async (xml: string | Uint8Array) => read(openKml, writeTmp('bad.kml', xml));
    expect(await problem('<kml><Document><Placemark></Document></kml>')).toEqual({ problem: 'test.kml: invalid XML: </Document> where </Placemark> was expected (in placemark 1)' });
    expect(await problem('<kml><Document><Placemark><name>a</name></Placemark>')).toEqual({ problem: 'test.kml: invalid XML: the document ends inside <Document>; expected </Document>, then the rest of the file (is it cut short?)' });
    expect(await problem('<kml><Document><Placemark><name>a</na')).toEqual({ problem: 'test.kml: invalid XML: the document ends inside a tag; expected a complete KML document (is the file cut short?)' });
    expect(await problem('<kml/><kml/>')).toEqual({ problem: 'test.kml: invalid XML: a second root element <kml> after </kml>' });
    expect(await problem('</kml>')).toEqual({ problem: 'test.kml: invalid XML: </kml> closes no open element' });
    expect(await problem('<gpx><wpt/></gpx>')).toEqual({ problem: 'test.kml: no <kml> root element (the root is <gpx>); expected a KML document' });
    expect(await problem('<?xml version="1.0"?>\n<!-- nothing -->\n')).toEqual({ problem: 'test.kml: no <kml> root element; expected a KML document' });
    expect(await problem(`<kml>${'<Folder>'.repeat(MAX_KML_DEPTH)}</kml>`)).toEqual({ problem: `test.kml: invalid XML: elements nested more than ${MAX_KML_DEPTH} deep` });
    expect(await problem('<!DOCTYPE kml SYSTEM "http://example.com/kml.dtd"><kml/>')).toEqual({ problem: 'test.kml: invalid XML: the DOCTYPE names an external DTD or entity (SYSTEM "http://example.com/kml.dtd"), which is never read; a KML document needs none' });
    // An internal subset may hold '>' and ']' in its strings; its entities are not expanded.
    expect(await problem('<!DOCTYPE kml [<!ENTITY e "a>]b">]><kml><Placemark><name>&e;</name></Placemark></kml>')).toEqual({ records: [{ row: 0, id: undefined, properties: { name: '&e;' }, geometry: null }] });
  });

  it('trims white space at the ends of a value, CDATA sections\' too; an empty SimpleData is empty text as an empty <value> is', async () => {
    const path = writeTmp('cdata.kml', '<kml><Placemark><description><![CDATA[\n  <b>4G</b> 覆盖\n]]></description><ExtendedData><Data name="户数"><value> <![CDATA[ 36 ]]> </value></Data><Data name="备注"><value/></Data><SchemaData><SimpleData name="乡镇"> </SimpleData></SchemaData></ExtendedData></Placemark></kml>');
    expect(await read(openKml, path)).toEqual({ records: [{ row: 0, id: undefined, properties: { description: '<b>4G</b> 覆盖', 户数: '36', 备注: '', 乡镇: '' }, geometry: null }] });
  });

  it('reports a placemark\'s bad geometry as its record\'s problem, with its attributes, and reads on', async () => {
    const path = writeTmp('geom.kml', `<kml><Placemark><name>a</name><Polygon><outerBoundaryIs><LinearRing><coordinates>1,2 x,3</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>
      <Placemark><Polygon><innerBoundaryIs><LinearRing><coordinates>1,2 3,4 5,6 1,2</coordinates></LinearRing></innerBoundaryIs></Polygon></Placemark>
      <Placemark><Point><coordinates></coordinates></Point></Placemark><Placemark><LineString/></Placemark></kml>`);
    expect(await read(openKml, path)).toEqual({ records: [
      { row: 0, properties: { name: 'a' }, problem: { field: 'geometry', message: 'Polygon outerBoundaryIs: "x,3" is not "lon,lat[,alt]"' } },
      { row: 1, properties: {}, problem: { field: 'geometry', message: 'Polygon outerBoundaryIs: <coordinates> is missing' } },
      { row: 2, properties: {}, problem: { field: 'geometry', message: 'Point: expected one coordinate tuple, found 0' } },
      { row: 3, properties: {}, problem: { field: 'geometry', message: 'LineString: <coordinates> is missing' } },
    ] });
  });
});

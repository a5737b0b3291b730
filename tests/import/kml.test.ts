import { describe, expect, it } from 'vitest';
import { strToU8, zipSync } from 'fflate';
import { previewImport } from '../../data/import/index';
import { importAll, writeTmp } from './helpers';

const kml = `<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2">
<Document><name>宁都覆盖</name>
  <Folder><name>移动</name>
    <Placemark id="pm1">
      <name>东山坝片区</name>
      <description><![CDATA[<b>4G</b> 覆盖]]></description>
      <ExtendedData>
        <Data name="运营商"><value>中国移动</value></Data>
        <Data name="编号"><value>007</value></Data>
      </ExtendedData>
      <Polygon>
        <outerBoundaryIs><LinearRing><coordinates>
          116.00,26.40,0 116.06,26.40,0 116.06,26.46,0 116.00,26.46,0 116.00,26.40,0
        </coordinates></LinearRing></outerBoundaryIs>
        <innerBoundaryIs><LinearRing><coordinates>116.02,26.42 116.04,26.42 116.04,26.44 116.02,26.44 116.02,26.42</coordinates></LinearRing></innerBoundaryIs>
      </Polygon>
    </Placemark>
  </Folder>
  <Folder><name>电信</name>
    <Placemark>
      <name>两片</name>
      <ExtendedData><SchemaData schemaUrl="#s"><SimpleData name="运营商">电信</SimpleData></SchemaData></ExtendedData>
      <MultiGeometry>
        <Polygon><outerBoundaryIs><LinearRing><coordinates>116.10,26.50 116.13,26.50 116.13,26.53 116.10,26.50</coordinates></LinearRing></outerBoundaryIs></Polygon>
        <Polygon><outerBoundaryIs><LinearRing><coordinates>116.20,26.50 116.22,26.50 116.22,26.52 116.20,26.50</coordinates></LinearRing></outerBoundaryIs></Polygon>
      </MultiGeometry>
    </Placemark>
  </Folder>
</Document>
</kml>`;

describe('KML / KMZ import', () => {
  it('reads a KMZ: nested folders, Polygon with hole, MultiGeometry, ExtendedData and SimpleData', async () => {
    const path = writeTmp('宁都.kmz', zipSync({ 'doc.kml': strToU8(kml), 'files/icon.png': new Uint8Array([137, 80, 78, 71]) }));
    const preview = await previewImport(path, { file: path, role: 'mobile' });
    expect(preview.format).toBe('kmz');
    expect(preview.crs).toEqual({ detected: 'wgs84', reason: 'KML coordinates are WGS-84 by definition' });
    expect(preview.mapping).toMatchObject({ operator: '运营商', name: 'name', id: '编号' });
    const { stream, features } = await importAll(path, { role: 'mobile' });
    expect(stream.issues).toEqual([]);
    expect(stream.fields).toEqual(['operator', 'tech', 'id', 'name', 'description']);
    expect(features[0].properties).toEqual({ id: '007', operator: 'CMCC', tech: '4G', name: '东山坝片区', description: '<b>4G</b> 覆盖' });
    const a = (features[0].geometry as { coordinates: number[][][][] }).coordinates;
    expect(a[0]).toHaveLength(2);
    expect(a[0][0][1]).toEqual([116.06, 26.4]);
    expect(features[1].properties).toMatchObject({ operator: 'CT', name: '两片' });
    expect((features[1].geometry as { coordinates: unknown[] }).coordinates).toHaveLength(2);
  });

  it('reads plain KML points for settlements and reports a broken coordinate with its placemark', async () => {
    const points = `<kml xmlns="http://www.opengis.net/kml/2.2"><Document>
      <Placemark><name>上坪</name><ExtendedData><Data name="户数"><value>36户</value></Data></ExtendedData><Point><coordinates>115.412345,25.952345,0</coordinates></Point></Placemark>
      <Placemark><name>下坪</name><ExtendedData><Data name="户数"><value>28</value></Data></ExtendedData><Point><coordinates>115.42;25.96</coordinates></Point></Placemark>
    </Document></kml>`;
    const path = writeTmp('pts.kml', points);
    const { stream } = await importAll(path, { role: 'settlements' });
    expect(stream.issues).toEqual([{ file: path, row: 1, field: 'geometry', message: 'Point: "115.42;25.96" is not "lon,lat[,alt]"' }]);
    const ok = writeTmp('pts-ok.kml', points.replace('115.42;25.96', '115.42,25.96'));
    const r = await importAll(ok, { role: 'settlements' });
    expect(r.features.map((f) => f.properties)).toEqual([
      { id: 'pts-ok-0', name: '上坪', households: 36, county: '', township: '', village: '', committee: false },
      { id: 'pts-ok-1', name: '下坪', households: 28, county: '', township: '', village: '', committee: false },
    ]);
  });

  it('invalid XML and a document without <kml> are file issues', async () => {
    const bad = writeTmp('bad.kml', '<kml><Document><Placemark></Document></kml>');
    const r = await importAll(bad, { role: 'settlements' });
    expect(r.stream.issues[0]).toMatchObject({ row: -1, field: 'file', message: expect.stringMatching(/invalid XML/) });
  });
});

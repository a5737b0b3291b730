// fast-xml-parser as the XLSX reader uses it for the parts it reads whole (the workbook, relationships, styles):
// attributes as `@_name`, namespace prefixes dropped, every value left as text for the reader to read.
import { XMLParser } from 'fast-xml-parser';

/** A parser whose elements named in `arrays` are always arrays, however many there are. */
export function xmlObjectParser(arrays: ReadonlySet<string>): XMLParser {
  return new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    removeNSPrefix: true,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    isArray: (name) => arrays.has(name),
  });
}

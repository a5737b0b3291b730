// A small RFC 4180 CSV reader: quoted fields, doubled quotes, CRLF, a leading BOM. Enough for the
// division lists and for user-supplied village lists; it never guesses delimiters.

/** Parses CSV text into rows of fields. Blank lines are dropped. Throws on an unterminated quote. */
export function parseCsv(text: string, source = 'csv'): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let quoteLine = 0;
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const endRow = () => {
    row.push(field);
    if (row.length > 1 || row[0] !== '') rows.push(row);
    row = [];
    field = '';
  };
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoted) {
      if (c === '"') {
        if (s[i + 1] === '"') { field += '"'; i++; } else quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"' && field === '') {
      quoted = true;
      quoteLine = line;
    } else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && s[i + 1] === '\n') i++;
      line++;
      endRow();
    } else {
      field += c;
    }
  }
  if (quoted) throw new Error(`${source}: line ${quoteLine}: unterminated quoted field (expected a closing ")`);
  if (field !== '' || row.length > 0) endRow();
  return rows;
}

/** Rows as objects keyed by the header row. Throws when a row has a different number of fields. */
export function csvRecords(text: string, source = 'csv'): Record<string, string>[] {
  const [header, ...body] = parseCsv(text, source);
  if (!header) return [];
  return body.map((r, i) => {
    if (r.length !== header.length) {
      throw new Error(`${source}: row ${i + 2}: expected ${header.length} fields (${header.join(',')}), found ${r.length}`);
    }
    return Object.fromEntries(header.map((h, j) => [h.trim(), r[j].trim()]));
  });
}

// @doyensec/electronegativity over electron/: no finding above LOW without a written reason in electron/SECURITY.md
// (a section headed by the check id and the file). Runs the same script CI and developers use.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

interface Finding { issue: string; severity: string; confidence: string; file: string; location: string }

/** The tool's CSV: a header, then one line per finding; only the first five columns are needed (unquoted ids). */
function parse(csv: string): Finding[] {
  return csv.trim().split('\n').slice(1).filter(Boolean).map((line) => {
    const cells = line.match(/("([^"]|"")*"|[^,]*)(,|$)/g)?.map((c) => c.replace(/,$/, '').replace(/^"|"$/g, '')) ?? [];
    return { issue: cells[0], severity: cells[1], confidence: cells[2], file: cells[3], location: cells[4] };
  });
}

describe('electronegativity over electron/', () => {
  it('every finding above LOW has a written reason in electron/SECURITY.md', () => {
    const dir = mkdtempSync(join(tmpdir(), 'atlas-en-'));
    try {
      const csv = execFileSync(join(root, 'scripts/electronegativity.sh'), [join(dir, 'report.csv')], { cwd: root, encoding: 'utf8', timeout: 120_000 });
      const findings = parse(csv);
      const reasons = readFileSync(join(root, 'electron/SECURITY.md'), 'utf8');
      const headings = new Set([...reasons.matchAll(/^## (\S+) \(([^)]+)\)$/gm)].map((m) => `${m[1]} ${m[2]}`));
      const serious = findings.filter((f) => f.severity !== 'LOW' && f.severity !== 'INFORMATIONAL');
      const unexplained = serious.filter((f) => !headings.has(`${f.issue} ${f.file}`));
      console.log(`electronegativity: ${findings.length} findings (${serious.length} above LOW), ${serious.length - unexplained.length} with a written reason`);
      expect(findings.length).toBeGreaterThan(0); // the scan ran and parsed
      expect(unexplained).toEqual([]);
      // No stale reasons: every section still matches a finding.
      const found = new Set(serious.map((f) => `${f.issue} ${f.file}`));
      expect([...headings].filter((h) => !found.has(h))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});

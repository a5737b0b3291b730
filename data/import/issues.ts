// Collects import problems up to a cap, so a broken 300 MB file yields a readable list, not a million lines.
import type { ImportIssue } from '../../api/contract';

export const ISSUE_CAP = 200;

export class IssueSink {
  readonly issues: ImportIssue[] = [];
  truncated = false;
  constructor(readonly file: string, readonly cap = ISSUE_CAP) {}

  /** Records an issue; returns false once the cap is exceeded, so callers can stop scanning. */
  add(row: number, field: string, message: string): boolean {
    if (this.issues.length >= this.cap) {
      this.truncated = true;
      return false;
    }
    this.issues.push({ file: this.file, row, field, message });
    return true;
  }

  get full(): boolean {
    return this.truncated;
  }
}

/** Thrown by the format readers for problems that stop reading the whole file (row -1 unless given). */
export class FileProblem extends Error {
  constructor(message: string, readonly field = 'file', readonly row = -1) {
    super(message);
    this.name = 'FileProblem';
  }
}

/** Thrown by previewImport when the file cannot be previewed at all; carries the same issues an import would. */
export class ImportIssuesError extends Error {
  constructor(readonly issues: ImportIssue[]) {
    super(issues.map((i) => `${i.file}: row ${i.row}: ${i.field}: ${i.message}`).join('\n'));
    this.name = 'ImportIssuesError';
  }
}

export function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The import was cancelled', 'AbortError');
}

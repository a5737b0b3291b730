// Collects input problems in one pass, capped so a broken million-row file cannot flood memory.
import { InputError, type InputIssue } from './types';

export const ISSUE_CAP = 200;

export class IssueList {
  readonly items: InputIssue[] = [];
  count = 0;
  constructor(readonly cap = ISSUE_CAP) {}

  add(source: string, feature: number, field: string, message: string): void {
    this.count++;
    if (this.items.length < this.cap) this.items.push({ source, feature, field, message });
  }

  /** Adds another list's problems after these, as if they had been added here: `count` of them, `items` kept. */
  absorb(items: readonly InputIssue[], count: number): void {
    this.count += count;
    for (const it of items) if (this.items.length < this.cap) this.items.push(it);
  }

  get truncated(): boolean {
    return this.count > this.items.length;
  }

  /** Throws an InputError listing every collected problem, if there is any. */
  throwIfAny(): void {
    if (this.count > 0) throw new InputError(this.items, this.truncated);
  }
}

/** Which input line each record came from, kept as runs, so that its memory grows with the input's irregularities and not with its records. */

/**
 * The input line of every record read, for error messages, as runs of records whose lines are
 * evenly spaced: an NDJSON file without blank lines is one run (a line per record), an SSE stream
 * whose events all span the same number of lines is one run too. Records are added in order.
 */
export class LineIndex {
  /** Per run: its first record, that record's line, and the lines between its records (0 until it has two). */
  private readonly runs: number[] = [];
  private records = 0;
  private lastLine = 0;

  /** Records that the next record comes from `line`. */
  add(line: number): void {
    const record = ++this.records;
    const runs = this.runs;
    const n = runs.length;
    if (n > 0) {
      const first = runs[n - 3]!;
      const step = runs[n - 1]!;
      const gap = line - this.lastLine;
      if (record === first + 1) {
        runs[n - 1] = gap;
        this.lastLine = line;
        return;
      }
      if (gap === step) {
        this.lastLine = line;
        return;
      }
    }
    runs.push(record, line, 0);
    this.lastLine = line;
  }

  /** The line of a record (1-based), or `undefined` for one that was not read. */
  lineOf(record: number): number | undefined {
    if (!Number.isInteger(record) || record < 1 || record > this.records) return undefined;
    const runs = this.runs;
    // the last run whose first record is at or before `record`
    let lo = 0;
    let hi = runs.length / 3 - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (runs[mid * 3]! <= record) lo = mid;
      else hi = mid - 1;
    }
    const at = lo * 3;
    return runs[at + 1]! + (record - runs[at]!) * runs[at + 2]!;
  }

  /** How many runs are kept (for the tests: one for evenly spaced lines). */
  get size(): number {
    return this.runs.length / 3;
  }
}

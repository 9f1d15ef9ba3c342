/** Shows a count and rate on stderr, at most once a second, when stderr is a terminal. */
export class Progress {
  private count = 0;
  private readonly started = performance.now();
  private last = this.started;
  private readonly enabled = process.stderr.isTTY === true;

  constructor(private readonly what: string) {}

  /** Counts `n` more items; call it per batch, not per item. */
  tick(n = 1): void {
    this.count += n;
    if (!this.enabled) return;
    const now = performance.now();
    if (now - this.last < 1000) return;
    this.last = now;
    const rate = Math.round(this.count / ((now - this.started) / 1000));
    process.stderr.write(`\r${this.count.toLocaleString("en-US")} ${this.what} (${rate.toLocaleString("en-US")}/s)`);
  }

  /** Clears the progress line. */
  done(): void {
    if (this.enabled && this.last !== this.started) process.stderr.write("\r\x1b[K");
  }
}

/** The progress line: rewritten in place on a terminal, every few seconds otherwise (CI logs). */
export class Progress {
  private readonly tty = Boolean(process.stderr.isTTY);
  private lastPlain = 0;
  private readonly started = performance.now();
  private transient = false;

  private stamp(): string {
    const s = Math.floor((performance.now() - this.started) / 1000);
    return `[${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}]`;
  }

  /** A status line that the next one replaces. */
  line(text: string): void {
    if (this.tty) {
      process.stderr.write(`\r\x1b[K${this.stamp()} ${text.slice(0, (process.stderr.columns || 160) - 9)}`);
      this.transient = true;
    } else if (performance.now() - this.lastPlain >= 5000) {
      this.lastPlain = performance.now();
      process.stderr.write(`${this.stamp()} ${text}\n`);
    }
  }

  /** A line that stays. */
  phase(text: string): void {
    if (this.transient) process.stderr.write('\r\x1b[K');
    this.transient = false;
    process.stderr.write(`${this.stamp()} ${text}\n`);
  }
}

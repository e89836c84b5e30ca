/**
 * Keeps the head and the tail of a stream up to a byte budget, counting what was dropped, so a
 * command that prints gigabytes costs a bounded amount of memory and the model still sees how
 * the output began and ended.
 */
export class HeadTailBuffer {
  private readonly head: Buffer[] = [];
  private headBytes = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  private total = 0;

  constructor(private readonly maxBytes: number) {}

  push(chunk: Buffer): void {
    this.total += chunk.length;
    const headRoom = Math.ceil(this.maxBytes / 2) - this.headBytes;
    if (headRoom > 0) {
      const part = chunk.subarray(0, headRoom);
      this.head.push(part);
      this.headBytes += part.length;
      chunk = chunk.subarray(part.length);
      if (!chunk.length) return;
    }
    this.tail.push(chunk);
    this.tailBytes += chunk.length;
    const tailMax = Math.floor(this.maxBytes / 2);
    while (this.tailBytes - this.tail[0].length >= tailMax) {
      this.tailBytes -= this.tail.shift()!.length;
    }
  }

  get truncated(): boolean {
    return this.total > this.maxBytes;
  }

  get totalBytes(): number {
    return this.total;
  }

  /** The kept text; a marker stands where bytes were dropped. */
  toString(): string {
    const head = Buffer.concat(this.head);
    let tail = Buffer.concat(this.tail);
    if (!this.truncated) return Buffer.concat([head, tail]).toString('utf8');
    tail = tail.subarray(tail.length - Math.floor(this.maxBytes / 2));
    const dropped = this.total - head.length - tail.length;
    return `${head.toString('utf8')}\n… [${dropped} bytes of output truncated] …\n${tail.toString('utf8')}`;
  }
}

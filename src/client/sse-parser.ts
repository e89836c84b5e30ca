/** One Server-Sent Events message (fields as the WHATWG spec defines them). */
export interface SseMessage {
  event: string;
  data: string;
  id?: string;
  /** Reconnection time the server asked for, in ms. */
  retry?: number;
}

/**
 * Incremental Server-Sent Events parser: feed it text chunks as they arrive (split anywhere,
 * CRLF, LF or CR line ends), get back the complete messages. Comments (heartbeats) are skipped.
 */
export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private event = '';
  private id: string | undefined;
  private retry: number | undefined;
  private pendingCr = false;

  push(chunk: string): SseMessage[] {
    let text = chunk;
    // A CR at the end of the previous chunk may be the first half of a CRLF.
    if (this.pendingCr && text.startsWith('\n')) text = text.slice(1);
    this.pendingCr = text.endsWith('\r');
    this.buffer += text;
    const out: SseMessage[] = [];
    const lines = this.buffer.split(/\r\n|\r|\n/);
    this.buffer = lines.pop() ?? '';
    for (const line of lines) {
      const message = this.line(line);
      if (message) out.push(message);
    }
    return out;
  }

  private line(line: string): SseMessage | undefined {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'data':
        this.data.push(value);
        break;
      case 'event':
        this.event = value;
        break;
      case 'id':
        if (!value.includes('\0')) this.id = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retry = Number(value);
        break;
    }
    return undefined;
  }

  private dispatch(): SseMessage | undefined {
    const retry = this.retry;
    this.retry = undefined;
    if (!this.data.length) {
      this.event = '';
      return retry !== undefined ? { event: '', data: '', retry } : undefined;
    }
    const message: SseMessage = {
      event: this.event || 'message',
      data: this.data.join('\n'),
      ...(this.id !== undefined ? { id: this.id } : {}),
      ...(retry !== undefined ? { retry } : {}),
    };
    this.data = [];
    this.event = '';
    return message;
  }
}

/**
 * Splits a byte stream into newline-terminated lines with a bound on each line's size, holding
 * at most `lineBytesMax` octets of an unfinished line (plus the chunks pushed and not yet read).
 *
 * A line longer than the bound yields one `oversized` item as soon as the bound is crossed (so
 * the peer hears about it even if no newline ever comes); the rest of that line, up to its
 * newline, is discarded and the next line is read normally. Text is decoded as UTF-8 with
 * replacement characters (never throws). A trailing `\r` is removed.
 */
export type LineItem = { readonly kind: 'line'; readonly text: string } | { readonly kind: 'oversized' };

const NEWLINE = 0x0a;
const decoder = new TextDecoder('utf-8', { fatal: false });

export class LineSplitter {
  private readonly input: Uint8Array[] = [];
  private inputOffset = 0;
  private readonly partial: Uint8Array[] = [];
  private partialBytes = 0;
  private discarding = false;

  constructor(private readonly lineBytesMax: number) {}

  push(chunk: Uint8Array): void {
    if (chunk.length > 0) this.input.push(chunk);
  }

  /** The next complete line (or oversized notice), or undefined until more bytes come. */
  next(): LineItem | undefined {
    while (this.input.length > 0) {
      const chunk = this.input[0];
      const start = this.inputOffset;
      const nl = chunk.indexOf(NEWLINE, start);
      const end = nl < 0 ? chunk.length : nl;
      if (nl < 0) {
        this.input.shift();
        this.inputOffset = 0;
      } else {
        this.inputOffset = nl + 1;
        if (this.inputOffset >= chunk.length) {
          this.input.shift();
          this.inputOffset = 0;
        }
      }
      const item = this.take(chunk.subarray(start, end), nl >= 0);
      if (item) return item;
    }
    return undefined;
  }

  /** At end of stream: the unterminated last line, if any (never one that was oversized). */
  finish(): LineItem | undefined {
    const item = this.partialBytes > 0 && !this.discarding ? this.line() : undefined;
    this.reset();
    this.discarding = false;
    return item;
  }

  private take(piece: Uint8Array, complete: boolean): LineItem | undefined {
    if (this.discarding) {
      if (complete) this.discarding = false;
      return undefined;
    }
    if (this.partialBytes + piece.length > this.lineBytesMax) {
      this.reset();
      this.discarding = !complete;
      return { kind: 'oversized' };
    }
    if (piece.length > 0) {
      const copy = new Uint8Array(piece.length); // the caller may reuse its chunk
      copy.set(piece);
      this.partial.push(copy);
      this.partialBytes += piece.length;
    }
    return complete ? this.line() : undefined;
  }

  private line(): LineItem {
    const all = new Uint8Array(this.partialBytes);
    let at = 0;
    for (const p of this.partial) {
      all.set(p, at);
      at += p.length;
    }
    this.reset();
    let text = decoder.decode(all);
    if (text.endsWith('\r')) text = text.slice(0, -1);
    return { kind: 'line', text };
  }

  private reset(): void {
    this.partial.length = 0;
    this.partialBytes = 0;
  }
}

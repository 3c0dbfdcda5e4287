/**
 * What a sandboxed program prints may reach the user's run terminal only as text and colour. The program is
 * untrusted: escape sequences that move the cursor, clear the screen, set the window title, switch modes, talk to
 * the clipboard (OSC 52) or query the terminal could redraw Phantom's own header or fake its exit footer, so they
 * are dropped here. Only SGR (`ESC [ … m`: colour, bold, underline) passes, because build tools colour their
 * output and that is worth keeping. Phantom's own lines start with glyphs (▶ ■) that this filter replaces in the
 * program's output (▷ □), so no output can look like them. Pure and stateful per stream: a sequence split across
 * two chunks is held until it is complete (bounded, so a never-ending sequence cannot grow memory).
 */

/** The glyphs of Phantom's own header and footer, and what they become in a program's output. */
export const OWN_GLYPHS: Record<string, string> = { '\u25b6': '\u25b7', '\u25a0': '\u25a1' };

/** Longest escape sequence kept while waiting for its end; longer ones are dropped whole. */
const MAX_PENDING = 4096;

const ESC = 0x1b;

/** A complete SGR sequence: ESC `[`, parameters (digits, `;`, `:`), then `m`. */
function isSgr(seq: string): boolean {
  return seq.charCodeAt(0) === ESC && seq[1] === '[' && seq.endsWith('m') && /^[0-9;:]*$/.test(seq.slice(2, -1));
}

export class TerminalSanitizer {
  /** An escape sequence not yet complete at the end of the last chunk. */
  private pending = '';
  /** Inside a string sequence (OSC, DCS, APC, PM, SOS) that is being dropped. */
  private inString = false;

  /** Returns what may be written to the terminal for this chunk. */
  write(chunk: string): string {
    let text = this.pending + chunk;
    this.pending = '';
    let out = '';
    let i = 0;
    if (this.inString) {
      const end = stringEnd(text, 0);
      if (end < 0) {
        this.keepStringTail(text);
        return '';
      }
      this.inString = false;
      i = end;
    }
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === ESC) {
        const seq = escapeSequence(text, i);
        if (seq.kind === 'incomplete') {
          // A sequence that never ends is dropped with what came with it; a short one waits for its end.
          if (text.length - i <= MAX_PENDING) this.pending = text.slice(i);
          break;
        }
        if (seq.kind === 'string-open') {
          // An OSC/DCS/… without its terminator yet: everything up to ST/BEL is dropped, across chunks.
          this.inString = true;
          this.keepStringTail(text.slice(seq.end));
          return out;
        }
        if (seq.kind === 'sgr') out += text.slice(i, seq.end);
        i = seq.end;
        continue;
      }
      if (c === 0x9b || c === 0x9d || c === 0x90 || c === 0x9e || c === 0x9f || c === 0x98) {
        // 8-bit CSI/OSC/DCS/PM/APC/SOS: xterm.js does not act on them in UTF-8 mode, but nothing needs them.
        text = text.slice(0, i) + '\x1b' + String.fromCharCode(c - 0x40) + text.slice(i + 1);
        continue;
      }
      if (c < 0x20 || c === 0x7f || (c >= 0x80 && c < 0xa0)) {
        // Keep what text uses: newline, carriage return (progress bars redraw their own line), tab, backspace.
        if (c === 0x0a || c === 0x0d || c === 0x09 || c === 0x08) out += text[i];
        i++;
        continue;
      }
      const ch = text[i];
      out += OWN_GLYPHS[ch] ?? ch;
      i++;
    }
    return out;
  }

  /** What is left when the stream ends: an unfinished sequence is dropped. */
  end(): string {
    this.pending = '';
    this.inString = false;
    return '';
  }

  /** Inside a dropped string sequence only its possible terminator matters: keep the last character (ESC of ST). */
  private keepStringTail(rest: string): void {
    this.pending = rest.endsWith('\x1b') ? '\x1b' : '';
  }
}

type Sequence = { kind: 'sgr' | 'drop'; end: number } | { kind: 'incomplete' } | { kind: 'string-open'; end: number };

/** Parses the escape sequence at `i` (text[i] is ESC), per ECMA-48 / xterm's control sequences. */
function escapeSequence(text: string, i: number): Sequence {
  if (i + 1 >= text.length) return { kind: 'incomplete' };
  const next = text[i + 1];
  if (next === '[') {
    // CSI: parameter bytes 0x30–0x3f, intermediate bytes 0x20–0x2f, one final byte 0x40–0x7e.
    let j = i + 2;
    while (j < text.length && text.charCodeAt(j) >= 0x20 && text.charCodeAt(j) <= 0x3f) j++;
    if (j >= text.length) return { kind: 'incomplete' };
    const final = text.charCodeAt(j);
    if (final < 0x40 || final > 0x7e) return { kind: 'drop', end: j }; // malformed: drop the introducer
    const seq = text.slice(i, j + 1);
    return { kind: isSgr(seq) ? 'sgr' : 'drop', end: j + 1 };
  }
  if (next === ']' || next === 'P' || next === '_' || next === '^' || next === 'X') {
    // OSC (title, clipboard, hyperlinks), DCS, APC, PM, SOS: strings up to BEL or ST (ESC \).
    const end = stringEnd(text, i + 2);
    return end < 0 ? { kind: 'string-open', end: text.length } : { kind: 'drop', end };
  }
  if (next.charCodeAt(0) >= 0x20 && next.charCodeAt(0) <= 0x2f) {
    // ESC with intermediates (charset designation `ESC ( 0`, …): up to the final byte.
    let j = i + 1;
    while (j < text.length && text.charCodeAt(j) >= 0x20 && text.charCodeAt(j) <= 0x2f) j++;
    if (j >= text.length) return { kind: 'incomplete' };
    return { kind: 'drop', end: j + 1 };
  }
  // Two-byte sequences: ESC c (reset), ESC 7/8 (save/restore cursor), ESC D/E/M (index, next line, reverse index)…
  return { kind: 'drop', end: i + 2 };
}

/** The index after a string sequence's terminator (BEL or ESC \) from `from`, or -1 when not in `text`. */
function stringEnd(text: string, from: number): number {
  for (let j = from; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 0x07) return j + 1;
    if (c === 0x9c) return j + 1;
    if (c === ESC && j + 1 < text.length && text[j + 1] === '\\') return j + 2;
  }
  return -1;
}

/** One-shot form for a complete text. */
export function sanitizeTerminalText(text: string): string {
  const s = new TerminalSanitizer();
  return s.write(text) + s.end();
}

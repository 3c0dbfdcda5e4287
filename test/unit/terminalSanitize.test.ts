/** The run terminal's output filter (client/src/terminalSanitize.ts): text and colour pass, control does not. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sanitizeTerminalText, TerminalSanitizer } from '../../client/src/terminalSanitize';

test('plain text, newlines, tabs and carriage returns pass unchanged', () => {
  assert.equal(sanitizeTerminalText('hello\r\nworld\t1\r50%\b'), 'hello\r\nworld\t1\r50%\b');
  assert.equal(sanitizeTerminalText('unicode: ünïcødé ✓ 日本'), 'unicode: ünïcødé ✓ 日本');
});

test('SGR colour sequences pass', () => {
  const coloured = '\x1b[31merror\x1b[0m \x1b[1;38;5;208mbold orange\x1b[m \x1b[38:2::255:0:0mtruecolor\x1b[0m';
  assert.equal(sanitizeTerminalText(coloured), coloured);
});

test('cursor movement, screen clearing, modes and resets are dropped', () => {
  assert.equal(sanitizeTerminalText('a\x1b[2J\x1b[Hb'), 'ab');
  assert.equal(sanitizeTerminalText('a\x1b[3A\x1b[10;1Hb\x1b[Kc'), 'abc');
  assert.equal(sanitizeTerminalText('a\x1b[?1049h\x1b[?1000h\x1b[?2004hb'), 'ab');
  assert.equal(sanitizeTerminalText('a\x1bcb\x1b7c\x1b8d\x1bMe'), 'abcde');
  assert.equal(sanitizeTerminalText('a\x1b(0b\x1b(Bc'), 'abc');
  assert.equal(sanitizeTerminalText('a\x1b[6nb'), 'ab', 'a cursor position query would make the terminal type an answer');
});

test('OSC (title, clipboard, hyperlinks), DCS and APC strings are dropped whole', () => {
  assert.equal(sanitizeTerminalText('a\x1b]0;pwned title\x07b'), 'ab');
  assert.equal(sanitizeTerminalText('a\x1b]2;title\x1b\\b'), 'ab');
  assert.equal(sanitizeTerminalText('a\x1b]52;c;dG91Y2ggL3RtcC9wd25lZA==\x07b'), 'ab');
  assert.equal(sanitizeTerminalText('a\x1b]8;;https://evil.example\x07link\x1b]8;;\x07b'), 'alinkb');
  assert.equal(sanitizeTerminalText('a\x1bP+q544e\x1b\\b'), 'ab');
  assert.equal(sanitizeTerminalText('a\x1b_hidden\x1b\\b'), 'ab');
});

test('8-bit C1 controls (CSI 0x9b, OSC 0x9d) are treated like their ESC forms', () => {
  assert.equal(sanitizeTerminalText('a\u009b2Jb'), 'ab');
  assert.equal(sanitizeTerminalText('a\u009d0;title\u0007b'), 'ab');
  assert.equal(sanitizeTerminalText('a\u009b31mred'), 'a\x1b[31mred', 'an 8-bit SGR becomes the 7-bit one');
});

test("Phantom's own header and footer glyphs cannot appear in a program's output", () => {
  const fake = '\x1b[32m■ exit status 0\x1b[0m (ran 0.01 s)\r\n▶ Phantom: x';
  const out = sanitizeTerminalText(fake);
  assert.ok(!out.includes('■') && !out.includes('▶'), JSON.stringify(out));
  assert.match(out, /□ exit status 0/);
});

test('other C0 controls (BEL, NUL, vertical tab, shift-out) are dropped', () => {
  assert.equal(sanitizeTerminalText('a\x07b\x00c\x0bd\x0ee\x7f'), 'abcde');
});

test('a sequence split across chunks is held back and judged whole', () => {
  const s = new TerminalSanitizer();
  assert.equal(s.write('red: \x1b[3'), 'red: ');
  assert.equal(s.write('1mR'), '\x1b[31mR');
  assert.equal(s.write('x\x1b'), 'x');
  assert.equal(s.write('[2Jy'), 'y');
  assert.equal(s.write('t\x1b]0;ti'), 't');
  assert.equal(s.write('tle still'), '');
  assert.equal(s.write(' going\x1b'), '');
  assert.equal(s.write('\\after'), 'after');
});

test('an unterminated sequence never grows memory and ends with the stream', () => {
  const s = new TerminalSanitizer();
  assert.equal(s.write(`\x1b[${'1;'.repeat(5000)}`), '');
  assert.equal(s.write('next'), 'next');
  assert.equal(s.write('\x1b]0;'), '');
  assert.equal(s.write('x'.repeat(100_000)), '');
  assert.equal(s.end(), '');
});

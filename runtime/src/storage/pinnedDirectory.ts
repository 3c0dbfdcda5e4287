/**
 * Files the runtime writes on the user's behalf (`phantom learn --out`, its sidecar and proposals) in a folder a
 * sandboxed run could have written to. The folder is opened BEFORE the run (a directory fd), so replacing it or a
 * parent with a symlink during the run changes nothing; each file is written to a fresh temporary name in that fd
 * (O_CREAT|O_EXCL|O_NOFOLLOW: never an existing file, never through a link) and renamed over the final name. A
 * symlink the workload planted at the final name is replaced, never followed: its target stays untouched.
 *
 * Node has no openat/renameat; `/proc/self/fd/N/NAME` resolves NAME inside the directory the fd holds (the magic
 * link jumps to that directory, whatever its path has become since), which is the same thing.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const { O_RDONLY, O_DIRECTORY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants;

export class PinnedDirectory {
  /** The directory fd (to hand to a child process, e.g. diff, as one of its stdio fds). */
  readonly fd: number;

  /** Opens `dir` now (it must exist): later writes go to this directory, wherever its path leads by then. */
  constructor(readonly dir: string) {
    try {
      this.fd = fs.openSync(dir, O_RDONLY | O_DIRECTORY);
    } catch (error) {
      throw new Error(`${dir}: cannot open the folder to write into (${(error as NodeJS.ErrnoException).code ?? String(error)}) — create it first`, { cause: error });
    }
  }

  /** For a file path: its folder, pinned, and its name in it. */
  static forFile(file: string): { dir: PinnedDirectory; name: string } {
    return { dir: new PinnedDirectory(path.dirname(path.resolve(file))), name: path.basename(file) };
  }

  private at(name: string): string {
    if (!name || name.includes('/') || name === '.' || name === '..') throw new Error(`'${name}' is not a file name`);
    return `/proc/self/fd/${this.fd}/${name}`;
  }

  /** What is at `name` now, without following a link: 'file', 'link', 'other' or undefined when nothing. */
  kind(name: string): 'file' | 'link' | 'other' | undefined {
    try {
      const st = fs.lstatSync(this.at(name));
      return st.isSymbolicLink() ? 'link' : st.isFile() ? 'file' : 'other';
    } catch {
      return undefined;
    }
  }

  /** The text of a regular file `name` (never through a link), or undefined. */
  read(name: string): string | undefined {
    let fd: number;
    try {
      fd = fs.openSync(this.at(name), O_RDONLY | O_NOFOLLOW);
    } catch {
      return undefined;
    }
    try {
      return fs.fstatSync(fd).isFile() ? fs.readFileSync(fd, 'utf8') : undefined;
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Writes `text` to `name`: a fresh temporary file in the folder, renamed into place. */
  write(name: string, text: string, mode = 0o644): void {
    const target = this.at(name);
    const tmp = this.at(`.${name}.${randomBytes(6).toString('hex')}.tmp`);
    const fd = fs.openSync(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode);
    try {
      fs.writeFileSync(fd, text);
      fs.fsyncSync(fd);
    } catch (error) {
      fs.closeSync(fd);
      fs.rmSync(tmp, { force: true });
      throw error;
    }
    fs.closeSync(fd);
    try {
      fs.renameSync(tmp, target);
    } catch (error) {
      fs.rmSync(tmp, { force: true });
      throw new Error(`${path.join(this.dir, name)}: cannot be replaced (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { cause: error });
    }
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}

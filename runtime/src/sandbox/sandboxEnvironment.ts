/** The clean environment a sandboxed command starts with: nothing of the host's unless the caller passes it. */

/** The system PATH inside the sandbox (only system directories are visible there by default). */
export const SANDBOX_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export function sandboxEnvironment(extra: Record<string, string> = {}, extraPathDirs: string[] = []): Record<string, string> {
  return {
    PATH: [...extraPathDirs, SANDBOX_PATH].join(':'),
    // The private /tmp is the only place a program can count on writing besides the working directory.
    HOME: '/tmp',
    TMPDIR: '/tmp',
    LANG: 'C.UTF-8',
    TERM: 'xterm-256color',
    // Output goes through pipes: without this, Python holds it back until exit and nothing streams.
    PYTHONUNBUFFERED: '1',
    ...extra,
  };
}

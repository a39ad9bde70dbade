let lastLogged = 0;

/**
 * Progress of long CLI work on stderr: on a terminal one line rewritten in place ('' clears it);
 * when stderr is a file or a pipe, a plain line at most every 5 s, so logs stay readable.
 */
export function showProgress(line: string): void {
  if (process.stderr.isTTY) {
    process.stderr.write(`\r\x1b[K${line.slice(0, process.stderr.columns ? process.stderr.columns - 1 : 200)}`);
  } else if (line && Date.now() - lastLogged >= 5000) {
    lastLogged = Date.now();
    process.stderr.write(`${line}\n`);
  }
}

/**
 * Progress on one self-overwriting line when `stream` is a terminal, otherwise a line at most
 * every 5 s; `log` prints a permanent line.
 */
export function createProgress(stream) {
  const tty = Boolean(stream.isTTY);
  let shown = false;
  let lastPrinted = 0;
  const clear = () => {
    if (shown) stream.write('\r\x1b[K');
    shown = false;
  };
  return {
    update(text) {
      if (tty) {
        stream.write(`\r\x1b[K${text}`);
        shown = true;
      } else if (Date.now() - lastPrinted >= 5_000) {
        stream.write(`${text}\n`);
        lastPrinted = Date.now();
      }
    },
    log(line) {
      clear();
      stream.write(`${line}\n`);
    },
    clear,
  };
}

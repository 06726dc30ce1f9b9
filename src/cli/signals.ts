// Ctrl-C: the first SIGINT (or SIGTERM) asks the running job to stop cleanly (finish the batch, save, report); a
// second one exits at once with 130, as a shell expects.

/** Calls `stop` on the first interrupt; returns a function that removes the handlers. */
export function onInterrupt(stop: () => void): () => void {
  let count = 0;
  const handler = () => {
    count++;
    if (count === 1) {
      process.stderr.write('\nInterrupted: finishing the current step (Ctrl-C again to quit at once)\n');
      stop();
    } else {
      if (process.stderr.isTTY) process.stderr.write('\x1b[?25h\x1b[?7h\n'); // the bar hid the cursor and line wrap
      process.exit(130);
    }
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

/** The access log of `plano up`: one line per request on a stream, written in batches. */
import { formatAccessLog, type AccessLogEntry, type AccessLogFormat } from '../server/access-log.js';
import type { OutputStream } from './io.js';

/**
 * Access-log lines, written in batches: a write(2) per request is a measurable share of a
 * proxied request, so lines wait up to ACCESS_LOG_DELAY_MS — under load many requests share a
 * write, at low traffic the line still shows at once to a person watching. A write holds whole
 * lines and at most PIPE_BUF bytes (4096 on Linux) when it can: POSIX makes such a write to a
 * pipe atomic, so the lines of `--workers` processes sharing stderr never interleave mid-line.
 */
export function accessLogWriter(stream: OutputStream, format: AccessLogFormat): { write: (entry: AccessLogEntry) => void; flush: () => void } {
  let pending = '';
  let pendingBytes = 0;
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    clearTimeout(timer);
    timer = undefined;
    if (pending !== '') stream.write(pending);
    pending = '';
    pendingBytes = 0;
  };
  return {
    write(entry) {
      const line = `${formatAccessLog(entry, format)}\n`;
      const bytes = Buffer.byteLength(line);
      if (pendingBytes + bytes > ATOMIC_WRITE_BYTES) flush();
      pending += line;
      pendingBytes += bytes;
      timer ??= setTimeout(flush, ACCESS_LOG_DELAY_MS);
    },
    flush,
  };
}

const ACCESS_LOG_DELAY_MS = 50;
/** PIPE_BUF on Linux (POSIX requires at least 512). */
const ATOMIC_WRITE_BYTES = 4096;


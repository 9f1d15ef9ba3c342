/** Connecting to a broker within a bounded time, with one clear line when it does not answer. */
import { Failure } from "./failure.js";

/**
 * Waits for a first connection (`connecting`) for at most `timeout` ms. When it fails or takes
 * longer, `cleanup` closes the clients, and a one-line `Failure` says where and why
 * (`cannot connect to Kafka at …: no answer within 10 s (--connect-timeout)`).
 */
export async function withinConnectTimeout<T>(
  connecting: Promise<T>,
  timeout: number,
  where: string,
  cleanup: () => Promise<void>,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Failure(`cannot connect to ${where}: no answer within ${timeout / 1000} s (--connect-timeout)`)),
      timeout,
    );
  });
  try {
    return await Promise.race([connecting, late]);
  } catch (err) {
    // closing clients that still retry can take seconds: the failure is reported without waiting
    void cleanup().catch(() => {});
    if (err instanceof Failure) throw err;
    throw new Failure(`cannot connect to ${where}: ${reason(err)}`);
  } finally {
    clearTimeout(timer);
    connecting.catch(() => {}); // settled after the timeout: already reported
  }
}

/** The innermost message of a client's error (its `errors` or `cause`), on one line. */
function reason(err: unknown): string {
  let e = err;
  for (;;) {
    const inner = (e as { errors?: unknown[] })?.errors;
    if (Array.isArray(inner) && inner.length > 0) e = inner.at(-1);
    else break;
  }
  const message = e instanceof Error ? e.message : String(e);
  return message.replace(/\s+/g, " ").trim();
}

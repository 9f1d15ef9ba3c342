/** Messages too large for NATS or a stream: telling them apart, and which settings to raise. */

/** JetStream's API error for a message above the stream's `max_msg_size`. */
const JS_MESSAGE_TOO_LARGE = 10054;

/**
 * Whether a publish failed because the message is larger than the server (`max_payload`, checked
 * by the client) or the stream (`max_msg_size`; a client error or JetStream's answer) takes: never
 * worth a retry.
 */
export function natsTooLarge(err: unknown): boolean {
  const e = err as { message?: string; code?: number; err_code?: number; api_error?: { err_code?: number } };
  return (
    /max_payload/.test(e?.message ?? "") ||
    e?.code === JS_MESSAGE_TOO_LARGE ||
    e?.err_code === JS_MESSAGE_TOO_LARGE ||
    e?.api_error?.err_code === JS_MESSAGE_TOO_LARGE
  );
}

/** What to say when a message was too large: which settings to raise. Empty for any other error. */
export function natsSizeLimitHint(err: unknown): string {
  if (!natsTooLarge(err)) return "";
  return /max_payload/.test((err as Error)?.message ?? "")
    ? "; the message is larger than the server takes: raise max_payload in the nats-server configuration (the project's servers take 17 MiB)"
    : "; the message is larger than the stream takes: raise the stream's max_msg_size (orwire publish creates streams with 17 MiB)";
}

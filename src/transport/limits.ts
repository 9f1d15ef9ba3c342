/** The sizes and times the queue adapters share: the largest message a broker must take, the connect timeout. */
import { defaultDelimitedOptions } from "../wire/size-delimited.js";

/**
 * The largest record or message the bridge has topics, streams and brokers take: the library's
 * 16 MiB bound on one frame (a multi-MB base64 partial image fits) plus 1 MiB for headers, key and
 * the broker's own framing. Kafka's default (`message.max.bytes`, `max.message.bytes`) and NATS's
 * (`max_payload`) are 1 MiB, too small for a real 1536×1024 partial image.
 */
export const MAX_MESSAGE_BYTES = defaultDelimitedOptions.maxMessageBytes + (1 << 20);

/** How long the CLI waits for a first connection to a broker before it gives up, in ms. */
export const DEFAULT_CONNECT_TIMEOUT = 10_000;

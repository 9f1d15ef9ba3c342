/** The old generation's growth for the streaming queue commands: at most 1.6 times what was live after a full collection. */
import { setFlagsFromString } from "node:v8";

/** How far V8 lets the old generation grow past what was live after a full collection, in percent. */
export const HEAP_GROWING_PERCENT = 60;

/**
 * Makes V8 start a full collection once the old generation is 1.6 times what the last one left
 * live (its default on a machine of this size is four times). A publish or consume keeps about
 * 25 MB live (most of it the clients' code) and promotes every record it holds across young
 * collections, so by default garbage grew the old generation to about 100 MB: peak RSS of `orwire
 * publish --kafka` at 1,000,000 events 218-232 MB by default, 154-155 MB at 2 times, 146-147 MB at
 * 1.6 times, for about 1 µs more CPU per event (the young generation, 32 MB, is fixed at start-up
 * and left alone). Library users keep V8's default. V8 reads this setting each time it sets the
 * next limit, so it takes effect when set at run time, before the first event.
 */
export function boundHeapGrowth(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}

/** The generators of the whole SDK domain, shared with the conformance kit, and how many runs a test takes. */
export * from "../../src/conformance/arbitraries.js";

/** The number of runs of a property: the CI share, or the soak (`SOAK=1`). */
export function runs(ci: number, soak: number): number {
  return process.env.SOAK ? soak : ci;
}

/** The fixed seed of CI runs, so that a failure reproduces; `FC_SEED` overrides it. */
export const seed = Number(process.env.FC_SEED ?? 20261126);

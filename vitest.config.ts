import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 180_000,
    reporters: ["default"],
    projects: [
      {
        extends: true,
        test: { name: "unit", include: ["test/**/*.test.ts"], exclude: ["test/integration/**"] },
      },
      {
        // Against the real brokers (scripts/brokers-up.sh, or ORWIRE_NATS_URL / ORWIRE_KAFKA_BROKERS).
        // One file at a time, after the unit tests: the fault tests kill and restart the shared brokers.
        extends: true,
        test: { name: "integration", include: ["test/integration/**/*.test.ts"], fileParallelism: false, sequence: { groupOrder: 1 } },
      },
    ],
  },
});

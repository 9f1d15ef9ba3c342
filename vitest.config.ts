import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 180_000,
    reporters: ["default"],
    projects: [
      {
        extends: true,
        test: { name: "unit", include: ["test/**/*.test.ts"], exclude: ["test/integration/**", "test/cluster/**"] },
      },
      {
        // Against the real brokers (scripts/brokers-up.sh, or ORWIRE_NATS_URL / ORWIRE_KAFKA_BROKERS).
        // One file at a time, after the unit tests: the fault tests kill and restart the shared brokers.
        extends: true,
        test: { name: "integration", include: ["test/integration/**/*.test.ts"], fileParallelism: false, sequence: { groupOrder: 1 } },
      },
      {
        // Against the 3-node clusters (npm run cluster:up), after the single-node tests: kill, hang and
        // restart nodes under load. The Kafka and NATS faults run concurrently inside one file.
        extends: true,
        test: {
          name: "cluster",
          include: ["test/cluster/**/*.test.ts"],
          sequence: { groupOrder: 2 },
          testTimeout: 600_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});

import { Admin, Consumer, kGetConnection, Producer } from "@platformatic/kafka";
import { afterEach, describe, expect, it } from "vitest";
import { guardKafkaClient } from "../src/kafka/index.js";

type GetConnection = (broker: unknown, callback: (error: Error | null) => void) => void;

const clients: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

// No broker listens on this port: the clients are built, never connected.
const options = { clientId: "orwire-guard-test", bootstrapBrokers: ["127.0.0.1:1"] };
const makers = {
  Consumer: () => new Consumer({ ...options, groupId: "orwire-guard-test" }),
  Producer: () => new Producer(options),
  Admin: () => new Admin(options),
};

function getConnection(client: object): GetConnection {
  return (client as Record<symbol, GetConnection>)[kGetConnection]!.bind(client);
}

describe("guardKafkaClient", () => {
  it.each(Object.entries(makers))("%s unguarded: asking for a broker missing from the metadata throws (the client's bug)", (_, make) => {
    const client = make();
    clients.push(client);
    expect(() => getConnection(client)(undefined, () => {})).toThrow(TypeError);
  });

  it.each(Object.entries(makers))("%s guarded: the same request fails through its callback, which its retries handle", (_, make) => {
    const client = guardKafkaClient(make(), kGetConnection);
    clients.push(client);
    const errors: (Error | null)[] = [];
    getConnection(client)(undefined, (error) => errors.push(error));
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toMatch(/not in the cluster metadata/);
  });

  it("a broker that is in the metadata still gets its connection (here: a refused one)", async () => {
    const client = guardKafkaClient(makers.Admin(), kGetConnection);
    clients.push(client);
    const error = await new Promise<Error | null>((resolve) => getConnection(client)({ host: "127.0.0.1", port: 1 }, resolve));
    expect(error?.message).toMatch(/connect|ECONNREFUSED/i);
  });

  it("refuses a symbol that is not the client's connection method", () => {
    const client = makers.Admin();
    clients.push(client);
    expect(() => guardKafkaClient(client, Symbol("other"))).toThrow(/kGetConnection/);
  });
});

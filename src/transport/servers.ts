/** Lists of servers, for Kafka (`host:port,…`) and NATS (`nats://…,…`). */
import { BridgeError } from "../errors.js";

/** A list of servers as given: `a,b,c` (spaces around the commas allowed) or an array. */
export type ServerList = string | readonly string[];

function split(servers: ServerList): string[] {
  const list = typeof servers === "string" ? servers.split(",") : [...servers];
  return list.map((s) => s.trim()).filter((s) => s !== "");
}

function refuse(what: string, value: unknown, example: string): never {
  throw new BridgeError("invalid_value", [], `${what} (expected ${example})`, { value });
}

function checkPort(port: string, server: string, example: string): void {
  const n = Number(port);
  if (!/^\d+$/.test(port) || n < 1 || n > 65535) refuse(`${JSON.stringify(server)} has no valid port`, server, example);
}

/**
 * Kafka bootstrap brokers from `host:port,host:port,…` (or an array of `host:port`), in order:
 * every one must name a host and a port 1–65535; IPv6 hosts in brackets (`[::1]:9092`).
 */
export function kafkaServers(servers: ServerList): string[] {
  const example = "host:port[,host:port...]";
  const list = split(servers);
  if (list.length === 0) refuse("no Kafka broker given", servers, example);
  for (const server of list) {
    const m = /^(\[[0-9A-Fa-f:.]+\]|[^:\s[\]/]+):([^:]*)$/.exec(server);
    if (m === null) refuse(`${JSON.stringify(server)} is not host:port`, server, example);
    checkPort(m[2]!, server, example);
  }
  return list;
}

/**
 * NATS servers from `nats://a:4222,nats://b:4222,…` (or an array), in order: each
 * `nats://host[:port]`, `tls://host[:port]` or `host[:port]`, as `@nats-io/transport-node` takes
 * them. The client tries them in turn and fails over between them.
 */
export function natsServers(servers: ServerList): string[] {
  const example = "nats://host:port[,nats://host:port...]";
  const list = split(servers);
  if (list.length === 0) refuse("no NATS server given", servers, example);
  for (const server of list) {
    const m = /^(?:(nats|tls):\/\/)?(?:[^@/\s]+@)?(\[[0-9A-Fa-f:.]+\]|[^:\s[\]/@]+)(?::([^/]*))?\/?$/.exec(server);
    if (m === null) refuse(`${JSON.stringify(server)} is not a NATS server URL`, server, example);
    if (m[3] !== undefined) checkPort(m[3], server, example);
  }
  return list;
}

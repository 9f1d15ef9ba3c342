import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
const blocks = [...readme.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1]!, body: m[2]! }));

/** Each `js` block with the `text` block after it: the program and what it prints. */
const programs = blocks.flatMap((b, i) => (b.lang === "js" ? [{ code: b.body, output: blocks[i + 1]?.lang === "text" ? blocks[i + 1]!.body : undefined }] : []));

/** Each `console` block's commands (`$ …`) with the lines they print. */
const sessions = blocks
  .filter((b) => b.lang === "console")
  .flatMap((b) => {
    const steps: { command: string; output: string[] }[] = [];
    for (const line of b.body.trimEnd().split("\n")) {
      if (line.startsWith("$ ")) steps.push({ command: line.slice(2), output: [] });
      else steps.at(-1)!.output.push(line);
    }
    return steps;
  });

describe("README examples run as written", () => {
  it("has examples to run", () => {
    expect(programs.length).toBeGreaterThan(0);
    expect(sessions.length).toBeGreaterThan(0);
  });

  it.each(programs.map((p, i) => [i + 1, p] as const))("library example %i prints what the README shows", (_, { code, output }) => {
    // inside the package, so that `import … from "openresponses-wire"` resolves to this package itself
    mkdirSync(`${root}.run`, { recursive: true });
    const file = `${root}.run/readme-example.mjs`;
    writeFileSync(file, code);
    const stdout = execFileSync(process.execPath, [file], { cwd: root, encoding: "utf8" });
    expect(output).toBeDefined();
    expect(stdout).toBe(output);
  });

  it.each(sessions.map((s) => [s.command, s] as const))("$ %s", (_, { command, output }) => {
    const run = spawnSync("bash", ["-c", `{ ${command}; } 2>&1`], { cwd: root, encoding: "utf8" });
    expect(run.stdout.trimEnd().split("\n")).toEqual(output);
  });
});

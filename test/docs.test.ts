import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, posix } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));

/** The documents whose examples run: the README, every guide in docs/, and the interop guide. */
const documents = [
  "README.md",
  ...readdirSync(join(root, "docs"))
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => `docs/${name}`),
  "interop/README.md",
];

interface Block {
  readonly lang: string;
  readonly body: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
}

/** The fenced code blocks of a Markdown text, with their language and where they start. */
function blocksOf(text: string): Block[] {
  const blocks: Block[] = [];
  let open: { lang: string; line: number; lines: string[] } | undefined;
  text.split("\n").forEach((line, i) => {
    const fence = /^```(\S*)\s*$/.exec(line);
    if (open === undefined) {
      if (fence) open = { lang: fence[1]!, line: i + 1, lines: [] };
    } else if (line === "```") {
      blocks.push({ lang: open.lang, body: open.lines.map((l) => `${l}\n`).join(""), line: open.line });
      open = undefined;
    } else {
      open.lines.push(line);
    }
  });
  if (open !== undefined) throw new Error(`a code block that starts at line ${open.line} is not closed`);
  return blocks;
}

interface Program {
  readonly name: string;
  readonly code: string;
  readonly output: string | undefined;
}

interface Step {
  readonly name: string;
  readonly command: string;
  readonly output: string[];
}

const programs: Program[] = [];
const sessions: Step[] = [];
const fenceLanguages = new Map<string, Set<string>>();

for (const file of documents) {
  const blocks = blocksOf(readFileSync(join(root, file), "utf8"));
  fenceLanguages.set(file, new Set(blocks.map((b) => b.lang)));
  blocks.forEach((block, i) => {
    if (block.lang === "js") {
      // each `js` block with the `text` block after it: the program and what it prints
      const next = blocks[i + 1];
      programs.push({ name: `${file}:${block.line} js`, code: block.body, output: next?.lang === "text" ? next.body : undefined });
    } else if (block.lang === "console") {
      // each `console` block's commands (`$ …`) with the lines they print
      const steps: { command: string; output: string[]; line: number }[] = [];
      block.body
        .trimEnd()
        .split("\n")
        .forEach((line, j) => {
          if (line.startsWith("$ ")) steps.push({ command: line.slice(2), output: [], line: block.line + 1 + j });
          else if (steps.length === 0) throw new Error(`${file}:${block.line}: a console block must start with a "$ " command`);
          else steps.at(-1)!.output.push(line);
        });
      for (const step of steps)
        sessions.push({ name: `${file}:${step.line} $ ${step.command}`, command: step.command, output: step.output });
    }
  });
}

/** Fence languages that are shown and never run: commands that need brokers or toolchains are `sh`. */
const shownOnly = new Set(["", "text", "sh", "ts", "proto"]);

describe("the examples of the README and the guides run as written", () => {
  it("finds examples to run in the README", () => {
    expect(programs.some((p) => p.name.startsWith("README.md:"))).toBe(true);
  });

  it.each(documents)("%s uses only fences the test knows (js + text and console run; sh, ts, text are shown)", (file) => {
    const unknown = [...fenceLanguages.get(file)!].filter((lang) => lang !== "js" && lang !== "console" && !shownOnly.has(lang));
    expect(unknown).toEqual([]);
  });

  it.each(programs.map((p) => [p.name, p] as const))("%s prints the text block after it", (name, { code, output }) => {
    expect(output, `${name} must be followed by a text block with what it prints`).toBeDefined();
    // inside the package, so that `import … from "openresponses-wire"` resolves to this package itself
    mkdirSync(join(root, ".run"), { recursive: true });
    const file = join(root, ".run", `${name.replace(/[^A-Za-z0-9]+/g, "-")}.mjs`);
    writeFileSync(file, code);
    const stdout = execFileSync(process.execPath, [file], { cwd: root, encoding: "utf8" });
    expect(stdout).toBe(output);
  });

  it.each(sessions.map((s) => [s.name, s] as const))("%s", (_, { command, output }) => {
    const run = spawnSync("bash", ["-c", `{ ${command}; } 2>&1`], { cwd: root, encoding: "utf8" });
    expect(run.stdout.trimEnd().split("\n")).toEqual(output);
  });
});

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let inCode = false;
  for (const line of text.split("\n")) {
    if (line.startsWith("```")) inCode = !inCode;
    const heading = inCode ? null : /^#{1,6} (.*)$/.exec(line);
    if (!heading) continue;
    const slug = heading[1]!
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return anchors;
}

describe("the links between the README and the guides lead somewhere", () => {
  const links = documents.flatMap((file) => {
    const text = readFileSync(join(root, file), "utf8").replace(/```[\s\S]*?```/g, "");
    return [...new Set([...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!))]
      .filter((target) => !/^[a-z]+:/.test(target))
      .map((target) => [`${file} -> ${target}`, file, target] as const);
  });

  it.each(links)("%s", (_, file, target) => {
    const [path, anchor] = target.split("#") as [string, string | undefined];
    const resolved = path === "" ? file : posix.normalize(posix.join(posix.dirname(file), path));
    expect(existsSync(join(root, resolved)), `${resolved} exists`).toBe(true);
    if (anchor !== undefined && resolved.endsWith(".md")) {
      expect([...anchorsOf(readFileSync(join(root, resolved), "utf8"))]).toContain(anchor);
    }
  });
});

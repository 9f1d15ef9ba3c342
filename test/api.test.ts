/**
 * The public API is written down in docs/api.md: one section per entry point of package.json's
 * `exports`, one line per exported name (values and types). An export that appears without a line
 * there, or a line whose export is gone, fails this test.
 */
import { readFileSync } from "node:fs";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = new URL("../", import.meta.url);
const doc = readFileSync(new URL("docs/api.md", root), "utf8");
const pkg = JSON.parse(readFileSync(new URL("package.json", root), "utf8")) as {
  exports: Record<string, string | { types: string }>;
  dependencies: Record<string, string>;
};

/** The names docs/api.md lists under each `## \`specifier\`` heading, as `- \`name\`` lines. */
function documented(): Map<string, string[]> {
  const sections = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of doc.split("\n")) {
    const heading = /^## `([^`]+)`/.exec(line);
    if (heading) sections.set(heading[1]!, (current = []));
    const item = /^- `([A-Za-z_$][\w$]*)`/.exec(line);
    if (item && current) current.push(item[1]!);
  }
  return sections;
}

/** The source file behind each entry point, from the `types` of package.json's `exports`. */
const entries = Object.entries(pkg.exports)
  .filter(([subpath]) => subpath !== "./package.json")
  .map(([subpath, target]) => {
    const types = typeof target === "string" ? target : target.types;
    return [
      subpath === "." ? "openresponses-wire" : `openresponses-wire/${subpath.slice(2)}`,
      types.replace(/^\.\/dist\//, "").replace(/\.d\.ts$/, ".ts"),
    ] as const;
  });

/** Every name a module exports, values and types alike, as the TypeScript compiler sees them. */
function exportedNames(files: readonly string[]): Map<string, string[]> {
  const paths = files.map((f) => new URL(f, root).pathname);
  const program = ts.createProgram(paths, {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    skipLibCheck: true,
  });
  const checker = program.getTypeChecker();
  return new Map(
    files.map((file, i) => {
      const source = program.getSourceFile(paths[i]!)!;
      const symbol = checker.getSymbolAtLocation(source)!;
      return [
        file,
        checker
          .getExportsOfModule(symbol)
          .map((s) => s.getName())
          .sort(),
      ];
    }),
  );
}

describe("the public API", () => {
  const sections = documented();
  const actual = exportedNames(entries.map(([, file]) => file));

  it("has a section in docs/api.md for every entry point, and none for others", () => {
    expect([...sections.keys()].sort()).toEqual(entries.map(([specifier]) => specifier).sort());
  });

  it.each(entries)("%s exports exactly the names docs/api.md lists", (specifier, file) => {
    expect(actual.get(file)).toEqual([...(sections.get(specifier) ?? [])].sort());
  });

  it("installs with @bufbuild/protobuf alone: broker clients and fast-check are optional peers", () => {
    expect(Object.keys(pkg.dependencies)).toEqual(["@bufbuild/protobuf"]);
  });
});

// Validates docs/asyncapi.yaml (or the file given) with the AsyncAPI parser; prints every problem
// and exits non-zero on an error. Install first: npm ci --prefix deploy/asyncapi
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Parser } from "@asyncapi/parser";

const file = process.argv[2] ?? fileURLToPath(new URL("../../docs/asyncapi.yaml", import.meta.url));
const { document, diagnostics } = await new Parser().parse(readFileSync(file, "utf8"), { source: file });
const severities = ["error", "warning", "information", "hint"];
for (const d of diagnostics) {
  console.log(`${severities[d.severity]} ${d.code} at ${d.path.join(".")}: ${d.message}`);
}
const errors = diagnostics.filter((d) => d.severity === 0).length;
if (!document || errors) {
  console.log(`${file}: ${errors} error(s)`);
  process.exit(1);
}
console.log(`${file}: valid AsyncAPI ${document.version()}`);

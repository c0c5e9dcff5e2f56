// Validates rendered Kubernetes manifests (multi-document YAML, e.g. `kubectl kustomize DIR`) offline, against the
// types generated from the Kubernetes OpenAPI schemas (npm kubernetes-models):
//   1. each object's own validator (kubernetes-models' compiled JSON Schema: types, required fields, formats);
//   2. TypeScript's excess-property check on each object as a literal of its interface, which the JSON Schema does
//      not do (it allows unknown fields): a typo in a field name (`replica:`, `containerPort` misspelt) fails here.
// Usage: node validate.mjs FILE.yaml [LABEL]; exit status 1 with one line per error, naming the object.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import yaml from "js-yaml";
import ts from "typescript";

const [file, label = file] = process.argv.slice(2);
if (!file) {
  console.error("usage: node validate.mjs RENDERED.yaml [LABEL]");
  process.exit(2);
}

const here = path.dirname(new URL(import.meta.url).pathname);
const modelsDir = path.dirname(createRequire(import.meta.url).resolve("kubernetes-models/package.json"));
const objects = yaml.loadAll(fs.readFileSync(file, "utf8")).filter(Boolean);
const errors = [];
const imports = [];
const literals = [];

for (const [i, object] of objects.entries()) {
  const id = `${object.kind ?? "?"}/${object.metadata?.name ?? "?"}`;
  const [group, version] = String(object.apiVersion ?? "").includes("/") ? object.apiVersion.split("/") : [null, object.apiVersion];
  const modulePath = group ? `kubernetes-models/${group}/${version}/${object.kind}` : `kubernetes-models/${version}/${object.kind}`;
  const typesFile = path.join(modelsDir, ...(group ? [group, version] : [version]), `${object.kind}.d.ts`);
  if (!object.kind || !object.apiVersion || !fs.existsSync(typesFile)) {
    errors.push(`${label}: ${id}: unknown apiVersion/kind '${object.apiVersion}' '${object.kind}' (no such Kubernetes type)`);
    continue;
  }

  const model = (await import(modulePath))[object.kind];
  try {
    new model(object).validate();
  } catch (e) {
    errors.push(`${label}: ${id}: ${e.message}`);
  }

  imports.push(`import type { I${object.kind} as T${i} } from "${modulePath}";`);
  literals.push(`// ${id}\nexport const o${i}: T${i} = ${JSON.stringify(object, null, 2)};`);
}

// The check runs in a scratch folder beside node_modules (resolution), removed afterwards.
const scratch = fs.mkdtempSync(path.join(here, ".check-"));
try {
  const source = path.join(scratch, "objects.ts");
  fs.writeFileSync(source, `${imports.join("\n")}\n\n${literals.join("\n\n")}\n`);
  const program = ts.createProgram([source], {
    noEmit: true, strict: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022, skipLibCheck: true, types: [],
  });
  const lines = fs.readFileSync(source, "utf8").split("\n");
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(d.messageText, " ");
    if (!d.file) {
      errors.push(`${label}: ${message}`);
      continue;
    }

    const { line } = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
    // The object the error is in: the nearest "// Kind/name" line above it.
    const owner = lines.slice(0, line + 1).reverse().find((l) => l.startsWith("// "))?.slice(3) ?? "?";
    errors.push(`${label}: ${owner}: ${message.replace(/T\d+/g, "its type")} (at: ${lines[line].trim()})`);
  }
} finally {
  fs.rmSync(scratch, { recursive: true, force: true });
}

for (const error of errors) console.error(error);
console.log(`${label}: ${objects.length} objects, ${errors.length} errors`);
process.exit(errors.length ? 1 : 0);

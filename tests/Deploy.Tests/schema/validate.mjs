// Validates Kubernetes objects (a multi-document YAML file, e.g. `kubectl kustomize` output) against the
// Kubernetes API's OpenAPI schemas as kubernetes-models ships them: the model for apiVersion/kind must exist,
// and its JSON schema must accept the object (required fields, types, enums, formats).
//   node validate.mjs FILE   ->  one JSON line per object: {"apiVersion","kind","name","result","errors"}
// result is "valid", "invalid" or "no-schema" (a kind kubernetes-models does not model, e.g. a CRD's).
// Exit status: 0 when it could read every object, 2 on unreadable input.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

function modelPath(apiVersion, kind) {
  // "apps/v1" -> kubernetes-models/apps/v1/Kind; "v1" (the core group) -> kubernetes-models/v1/Kind
  return `kubernetes-models/${apiVersion}/${kind}`;
}

async function validate(object) {
  const { apiVersion, kind } = object;
  const name = object.metadata?.name ?? "";
  let Model;
  try {
    Model = (await import(modelPath(apiVersion, kind)))[kind];
  } catch {
    return { apiVersion, kind, name, result: "no-schema", errors: [] };
  }
  if (typeof Model !== "function") return { apiVersion, kind, name, result: "no-schema", errors: [] };
  try {
    new Model(object).validate();
    return { apiVersion, kind, name, result: "valid", errors: [] };
  } catch (error) {
    return { apiVersion, kind, name, result: "invalid", errors: [String(error.message ?? error)] };
  }
}

const file = process.argv[2];
if (!file) {
  console.error("usage: node validate.mjs FILE");
  process.exit(2);
}
const documents = parseAllDocuments(readFileSync(file, "utf8"));
for (const document of documents) {
  if (document.errors.length > 0) {
    console.error(`${file}: ${document.errors.map((e) => e.message).join("; ")}`);
    process.exit(2);
  }
  const object = document.toJS();
  if (object === null || object === undefined) continue;
  if (typeof object.apiVersion !== "string" || typeof object.kind !== "string") {
    console.log(JSON.stringify({ apiVersion: object.apiVersion ?? "", kind: object.kind ?? "", name: "", result: "invalid",
      errors: ["apiVersion and kind are required strings"] }));
    continue;
  }
  console.log(JSON.stringify(await validate(object)));
}

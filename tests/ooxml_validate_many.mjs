// Validate several .docx files with one start of the Open XML SDK validator
// (its WebAssembly start-up costs seconds; the validation itself is fast).
// usage: node ooxml_validate_many.mjs PACKAGE_INDEX_JS FILE... ; prints {file: [errors]} as JSON.
import { readFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";

const [indexPath, ...files] = process.argv.slice(2);
const { default: validate } = await import(pathToFileURL(indexPath).href);
const results = {};
for (const file of files) {
  results[file] = await validate(new Uint8Array(await readFile(file)), "docx", "Microsoft365");
}
process.stdout.write(JSON.stringify(results));

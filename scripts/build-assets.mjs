// Builds the GOV.UK Frontend assets the templates need into resettle/static/dist (git-ignored):
// our compiled stylesheet, the Frontend JavaScript module, axe-core for the accessibility tests and Swagger UI
// for the API documentation page.
// Fonts and crown images are left out on purpose: they belong to GOV.UK alone.
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "resettle", "static", "dist");
const frontend = join(root, "node_modules", "govuk-frontend", "dist", "govuk");

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const css = sass.compile(join(root, "resettle", "static", "scss", "application.scss"), {
  loadPaths: [join(root, "node_modules")],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import"],
});
writeFileSync(join(out, "application.css"), css.css);
cpSync(join(frontend, "govuk-frontend.min.js"), join(out, "govuk-frontend.min.js"));
cpSync(join(root, "resettle", "static", "favicon.svg"), join(out, "favicon.svg"));
cpSync(join(root, "node_modules", "axe-core", "axe.min.js"), join(out, "axe.min.js"));
// Swagger UI draws the API documentation page from files served by the app itself (no CDN).
const swagger = join(root, "node_modules", "swagger-ui-dist");
mkdirSync(join(out, "swagger-ui"), { recursive: true });
for (const file of ["swagger-ui-bundle.js", "swagger-ui.css", "LICENSE"]) {
  cpSync(join(swagger, file), join(out, "swagger-ui", file));
}
console.log(`assets built in ${out}`);

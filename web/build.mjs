// Bundle the map and review pages into dist/ with esbuild: no CDN, no external tiles or
// fonts at run time. MapLibre's worker is copied beside the bundle (the page points to it).
import { build } from "esbuild";
import { cpSync, mkdirSync, rmSync } from "node:fs";

const out = "dist";
rmSync(out, { recursive: true, force: true });
mkdirSync(`${out}/assets`, { recursive: true });

await build({
  entryPoints: { early: "src/early.js", map: "src/map.js", review: "src/review.js" },
  bundle: true,
  format: "esm",
  target: "es2022",
  minify: true,
  sourcemap: true,
  outdir: `${out}/assets`,
  logLevel: "info",
});

const maplibre = "node_modules/maplibre-gl/dist";
cpSync(`${maplibre}/maplibre-gl-worker.mjs`, `${out}/assets/maplibre-gl-worker.mjs`);
cpSync(`${maplibre}/maplibre-gl.css`, `${out}/assets/maplibre-gl.css`);
for (const page of ["index.html", "review.html", "style.css"]) {
  cpSync(`src/${page}`, page.endsWith(".css") ? `${out}/assets/${page}` : `${out}/${page}`);
}

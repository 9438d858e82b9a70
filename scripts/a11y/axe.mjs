// Runs axe-core in Debian's Chromium on every page given, at each width given,
// and prints one JSON report: {"pages": N, "runs": N, "violations": [...]}.
//
//   node axe.mjs --width 1280 --width 320 page.html other.html ...
//
// Chromium is /usr/bin/chromium unless MOMENT_CHROMIUM names another. The pages are
// opened from disk (file://); nothing is fetched from the network.
import { mkdirSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

const args = process.argv.slice(2);
const widths = [];
const pages = [];
let shots = null;
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--width") { widths.push(Number(args[++i])); }
  else if (args[i] === "--screenshots") { shots = args[++i]; }
  else { pages.push(args[i]); }
}
if (!widths.length) { widths.push(1280); }

const browser = await chromium.launch({
  executablePath: process.env.MOMENT_CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const violations = [];
let runs = 0;
try {
  for (const width of widths) {
    const context = await browser.newContext({ viewport: { width, height: 900 } });
    const page = await context.newPage();
    for (const file of pages) {
      await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
      await page.addScriptTag({ content: axeSource });
      const result = await page.evaluate(async () => {
        // WCAG 2.0, 2.1 and 2.2 A and AA, the level the platform's design guide asks for.
        const r = await window.axe.run(document, {
          runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] },
          resultTypes: ["violations"],
        });
        return r.violations.map((v) => ({
          id: v.id, impact: v.impact, help: v.help,
          nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5),
        }));
      });
      runs += 1;
      if (shots) {
        // <moment>-<page>-<width>.png, from dist/<moment>/<version>/site/<page>.html
        const moment = basename(dirname(dirname(dirname(file))));
        mkdirSync(shots, { recursive: true });
        await page.screenshot({ path: join(shots, `${moment}-${basename(file, ".html")}-${width}.png`), fullPage: true });
      }
      for (const v of result) { violations.push({ page: file, width, ...v }); }
    }
    await context.close();
  }
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify({ pages: pages.length, runs, violations }, null, 2) + "\n");

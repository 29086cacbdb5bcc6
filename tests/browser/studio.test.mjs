// The web UI in Debian's chromium (headless, WebGL2 on SwiftShader: no GPU here), driven by
// puppeteer-core: upload the bundled clip and reference, wait for the grade, move sliders, read
// the live preview's pixels back and compare them with the server's render of the same LUT on
// the same frame (within one 8-bit code value). Screenshots go to OUT_DIR.
// Usage: node studio.test.mjs AUTOGRADE_CLI SOURCE_DIR OUT_DIR
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import puppeteer from 'puppeteer-core';

const [cli, src, outDir] = process.argv.slice(2);
fs.rmSync(outDir, { recursive: true, force: true });
fs.mkdirSync(outDir, { recursive: true });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-browser-'));
const failures = [];
const check = (ok, what) => { console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`); if (!ok) failures.push(what); };

// The server on a port of its choosing (--port 0 prints it).
const server = spawn(cli, ['serve', '--port', '0', '--data', path.join(tmp, 'data')], { stdio: ['ignore', 'pipe', 'inherit'] });
const base = await new Promise((resolve, reject) => {
  let out = '';
  server.stdout.on('data', (d) => {
    out += d;
    const m = out.match(/listening on (http:\/\/\S+)/);
    if (m) resolve(m[1]);
  });
  server.on('exit', (code) => reject(new Error(`server exited (${code})`)));
  setTimeout(() => reject(new Error('server did not start')), 20000);
});

const browser = await puppeteer.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  userDataDir: path.join(tmp, 'profile'),
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync', '--use-gl=angle', '--use-angle=swiftshader',
         '--enable-unsafe-swiftshader'],
});
let exitCode = 1;
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 1000 });
  page.on('pageerror', (e) => failures.push('page error: ' + e.message));
  await page.goto(base, { waitUntil: 'load' });
  const renderer = await page.evaluate(() => {
    const gl = document.createElement('canvas').getContext('webgl2');
    return gl ? gl.getParameter(gl.RENDERER) : null;
  });
  check(!!renderer, `WebGL2 available (${renderer})`);

  // Upload and wait for the grade and the first preview.
  await (await page.$('#clip')).uploadFile(path.join(src, 'data/video/tears_of_steel_excerpt.mp4'));
  await (await page.$('#reference')).uploadFile(path.join(src, 'data/images/reference_teal_orange.png'));
  const t0 = Date.now();
  await page.click('#grade');
  await page.waitForFunction(() => window.agState.lutShown > 0 && !document.getElementById('studio').hidden, { timeout: 240000, polling: 200 });
  console.log(`graded in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const thumbnails = () => page.waitForFunction(
    () => [...document.querySelectorAll('#shots img')].every((i) => i.complete && i.naturalWidth > 0), { timeout: 30000, polling: 100 });
  await thumbnails();
  await page.screenshot({ path: path.join(outDir, 'studio-graded.png'), fullPage: true });

  // Pick shot 1, move sliders as a user would (input events), wait for the re-baked LUT.
  await page.click('#shots figure:nth-child(2)');
  await page.waitForFunction(() => window.agState.shot === 1 && !window.agState.inFlight, { polling: 50 });
  const settled = () => page.waitForFunction(() => {
    const s = window.agState;
    return !s.inFlight && !s.dirty && s.lutShown === s.lutRequests;
  }, { polling: 50, timeout: 30000 });
  const slide = (name, value) => page.evaluate((n, v) => {
    const el = document.querySelector(`[data-slider="${n}"]`);
    el.value = v;
    el.dispatchEvent(new Event('input'));
  }, name, value);
  for (let v = 0.05; v <= 0.5; v += 0.05) await slide('exposure', v.toFixed(2));  // a drag: 10 events
  await slide('temperature', 35);
  await slide('saturation', 20);
  await settled();
  const lutMs = await page.evaluate(() => window.agState.lastLutMs);
  console.log(`slider → re-baked LUT on screen: ${lutMs.toFixed(1)} ms (server round trip)`);
  await page.screenshot({ path: path.join(outDir, 'studio.png'), fullPage: true });
  await page.screenshot({ path: path.join(outDir, 'preview.png'), clip: await (await page.$('#preview')).boundingBox() });

  // The preview, all "after" (split at 0), against the server's render of the refined plan.
  const compare = async (version) => page.evaluate(async (v) => {
    const s = window.agState;
    s.preview.fullRes = true;
    s.preview.resize();
    document.getElementById('split').value = 0;
    document.getElementById('split').dispatchEvent(new Event('input'));
    const mine = s.preview.pixels();
    const res = await fetch(`/api/jobs/${s.job.id}/shots/${s.shot}/render.png?version=${v}`);
    const bmp = await createImageBitmap(await res.blob(), { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
    const c = new OffscreenCanvas(bmp.width, bmp.height);
    const ctx = c.getContext('2d');
    ctx.drawImage(bmp, 0, 0);
    const theirs = ctx.getImageData(0, 0, bmp.width, bmp.height).data;
    if (bmp.width !== mine.width || bmp.height !== mine.height) return { error: 'sizes differ' };
    let max = 0, over = 0;
    for (let i = 0; i < theirs.length; i += 4)
      for (let k = 0; k < 3; ++k) {
        const d = Math.abs(theirs[i + k] - mine.data[i + k]);
        max = Math.max(max, d);
        if (d > 1) ++over;
      }
    return { max, over, pixels: theirs.length / 4, width: bmp.width, height: bmp.height };
  }, version);
  const sliders = await page.evaluate(() => ({ ...(() => { const o = {}; for (const el of document.querySelectorAll('[data-slider]')) o[el.dataset.slider] = el.value; return o; })() }));
  // A digest of the whole picture, all "after" (split at 0).
  const digest = () => page.evaluate(() => {
    window.agState.preview.fullRes = true;
    window.agState.preview.resize();
    const el = document.getElementById('split');
    el.value = 0;
    el.dispatchEvent(new Event('input'));
    const d = window.agState.preview.pixels().data;
    let h = 0;
    for (let i = 0; i < d.length; ++i) h = (Math.imul(h, 31) + d[i]) | 0;
    return h;
  });
  const preApply = await digest();
  // Apply the sliders: a new plan version (v2) whose LUT the server renders.
  await page.click('#apply');
  await page.waitForFunction(() => window.agState.job.version === 2, { timeout: 30000, polling: 50 });
  await settled();
  const afterApply = await compare(2);
  console.log(`sliders ${JSON.stringify(sliders)}: preview of v2 vs server render`, afterApply);
  check(!afterApply.error && afterApply.max <= 1, `after Apply, preview = server render of v2 within 1 code value (max ${afterApply.max})`);
  // And the live preview before Apply showed that same LUT (the sliders' preview equals the result).
  const postApply = await digest();
  check(preApply === postApply, 'the live slider preview equals the applied version\'s preview');
  const v1 = await compare(1);
  check(v1.max > 1, `the sliders changed the picture (v2 vs v1 render differ by up to ${v1.max})`);

  // Frame time at 1080p through the LUT (SwiftShader: the CPU emulates the GPU here).
  const ms = await page.evaluate(() => window.agBench(1920, 1080, 20));
  console.log(`preview draw at 1920x1080: ${ms.toFixed(1)} ms/frame (${renderer})`);
  const shown = await page.evaluate(() => window.agBench(1920, 1080, 20, false));
  const shownWidth = await page.evaluate(() => document.getElementById('preview').clientWidth);
  console.log(`preview draw of a 1920x1080 frame at its shown size (${shownWidth} px wide): ${shown.toFixed(1)} ms/frame`);
  fs.writeFileSync(path.join(outDir, 'measurements.json'),
                   JSON.stringify({ renderer, lut_round_trip_ms: lutMs, frame_ms_1080p: ms, frame_ms_1080p_shown: shown, shown_width: shownWidth, compare_v2: afterApply }, null, 2));

  // Undo in the UI: back to v1.
  await page.click('#undo');
  await page.waitForFunction(() => window.agState.job.version === 1, { timeout: 30000, polling: 50 });
  await settled();
  await page.evaluate(() => { const el = document.getElementById('split'); el.value = 0.5; el.dispatchEvent(new Event('input')); });
  await thumbnails();
  await page.screenshot({ path: path.join(outDir, 'studio-undo.png'), fullPage: true });
  exitCode = failures.length ? 1 : 0;
} catch (e) {
  console.error(e);
} finally {
  await browser.close();
  server.kill('SIGTERM');
  fs.rmSync(tmp, { recursive: true, force: true });
}
for (const f of failures) console.log('FAILED: ' + f);
process.exit(exitCode);

// autograde studio: the web UI over the JSON API (/api/openapi.json). Vanilla JS, no libraries.
//
// Live preview: the browser applies the shot's LUT to the shot's frame itself (WebGL2, the LUT
// as a 3D float texture read with texelFetch and interpolated tetrahedrally in the shader, the
// same six tetrahedra and arithmetic order as the engine's default, lut/interpolate.cpp), so the
// preview matches the server's render within one 8-bit code value. Slider edits change the
// Look, and the Look → LUT bake lives in C++ only: the page asks the server for the re-baked LUT
// (POST /preview, nothing saved; one request in flight, the latest slider state wins) and swaps
// the texture. Re-implementing the bake in JS would be a second implementation to keep exact.
'use strict';

const token = new URLSearchParams(location.hash.slice(1)).get('token');
const headers = (extra = {}) => (token ? { ...extra, Authorization: 'Bearer ' + token } : extra);
const $ = (id) => document.getElementById(id);

async function api(path, options = {}) {
  const res = await fetch(path, { ...options, headers: headers(options.headers || {}) });
  if (!res.ok) {
    let msg = res.status + ' ' + res.statusText;
    try { msg = (await res.json()).error || msg; } catch (e) { /* not JSON */ }
    throw new Error(msg);
  }
  return res;
}
const postJson = (path, body) =>
  api(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body || {}) });

function say(text) { $('status').textContent = text; }

// ---------------------------------------------------------------- WebGL2 preview

const VERT = `#version 300 es
in vec2 pos;
void main() { gl_Position = vec4(pos, 0.0, 1.0); }`;

const FRAG = `#version 300 es
precision highp float;
precision highp int;
precision highp sampler3D;
uniform sampler2D frame;
uniform sampler3D lut;
uniform int size;
uniform float split;  // 0..1 of the width: left of it the frame as decoded, right the grade
uniform vec2 scale;   // frame pixels per canvas pixel (1 at full resolution: texel for pixel)
out vec4 color;
vec3 L(ivec3 p) { return texelFetch(lut, p, 0).rgb; }
// lut/interpolate.cpp sample_tetrahedral, step for step (Kasson et al. 1995).
vec3 tetrahedral(vec3 c) {
  vec3 x = clamp(c, 0.0, 1.0) * float(size - 1);
  ivec3 i = min(ivec3(x), ivec3(size - 2));
  vec3 f = x - vec3(i);
  vec3 c000 = L(i), c111 = L(i + 1), o = c000;
  if (f.r > f.g) {
    if (f.g > f.b) {
      vec3 c100 = L(i + ivec3(1, 0, 0)), c110 = L(i + ivec3(1, 1, 0));
      o += f.r * (c100 - c000); o += f.g * (c110 - c100); o += f.b * (c111 - c110);
    } else if (f.r > f.b) {
      vec3 c100 = L(i + ivec3(1, 0, 0)), c101 = L(i + ivec3(1, 0, 1));
      o += f.r * (c100 - c000); o += f.b * (c101 - c100); o += f.g * (c111 - c101);
    } else {
      vec3 c001 = L(i + ivec3(0, 0, 1)), c101 = L(i + ivec3(1, 0, 1));
      o += f.b * (c001 - c000); o += f.r * (c101 - c001); o += f.g * (c111 - c101);
    }
  } else {
    if (f.b > f.g) {
      vec3 c001 = L(i + ivec3(0, 0, 1)), c011 = L(i + ivec3(0, 1, 1));
      o += f.b * (c001 - c000); o += f.g * (c011 - c001); o += f.r * (c111 - c011);
    } else if (f.b > f.r) {
      vec3 c010 = L(i + ivec3(0, 1, 0)), c011 = L(i + ivec3(0, 1, 1));
      o += f.g * (c010 - c000); o += f.b * (c011 - c010); o += f.r * (c111 - c011);
    } else {
      vec3 c010 = L(i + ivec3(0, 1, 0)), c110 = L(i + ivec3(1, 1, 0));
      o += f.g * (c010 - c000); o += f.r * (c110 - c010); o += f.b * (c111 - c110);
    }
  }
  return o;
}
void main() {
  ivec2 sz = textureSize(frame, 0);
  int w = int(float(sz.x) / scale.x + 0.5), h = int(float(sz.y) / scale.y + 0.5);
  ivec2 p = ivec2(gl_FragCoord.xy);
  // Nearest frame texel of this canvas pixel, rows top-down as the PNG stores them.
  ivec2 q = min(ivec2((vec2(float(p.x), float(h - 1 - p.y)) + 0.5) * scale), sz - 1);
  vec3 c = texelFetch(frame, q, 0).rgb;
  int edge = int(split * float(w));
  if (p.x == edge && edge > 0 && edge < w) { color = vec4(0.5, 0.5, 0.5, 1.0); return; }
  color = vec4(p.x < edge ? c : tetrahedral(c), 1.0);
}`;

class Preview {
  constructor(canvas) {
    this.canvas = canvas;
    // preserveDrawingBuffer: the test (and a screenshot) reads the pixels after the frame.
    const gl = canvas.getContext('webgl2', { antialias: false, preserveDrawingBuffer: true, premultipliedAlpha: false });
    if (!gl) throw new Error('WebGL2 is not available in this browser');
    this.gl = gl;
    const sh = (type, src) => {
      const s = gl.createShader(type);
      gl.shaderSource(s, src);
      gl.compileShader(s);
      if (!gl.getShaderParameter(s, gl.COMPILE_STATUS)) throw new Error(gl.getShaderInfoLog(s));
      return s;
    };
    const prog = gl.createProgram();
    gl.attachShader(prog, sh(gl.VERTEX_SHADER, VERT));
    gl.attachShader(prog, sh(gl.FRAGMENT_SHADER, FRAG));
    gl.linkProgram(prog);
    if (!gl.getProgramParameter(prog, gl.LINK_STATUS)) throw new Error(gl.getProgramInfoLog(prog));
    gl.useProgram(prog);
    this.prog = prog;
    const buf = gl.createBuffer();
    gl.bindBuffer(gl.ARRAY_BUFFER, buf);
    gl.bufferData(gl.ARRAY_BUFFER, new Float32Array([-1, -1, 3, -1, -1, 3]), gl.STATIC_DRAW);
    const loc = gl.getAttribLocation(prog, 'pos');
    gl.enableVertexAttribArray(loc);
    gl.vertexAttribPointer(loc, 2, gl.FLOAT, false, 0, 0);
    this.frameTex = this.texture(gl.TEXTURE0, gl.TEXTURE_2D);
    this.lutTex = this.texture(gl.TEXTURE1, gl.TEXTURE_3D);
    gl.uniform1i(gl.getUniformLocation(prog, 'frame'), 0);
    gl.uniform1i(gl.getUniformLocation(prog, 'lut'), 1);
    this.uSize = gl.getUniformLocation(prog, 'size');
    this.uSplit = gl.getUniformLocation(prog, 'split');
    this.uScale = gl.getUniformLocation(prog, 'scale');
    this.split = 0.5;
    // Off: the canvas has as many pixels as it is shown with (a 1080p frame in an 800-pixel-wide
    // view costs a third of the work); on: one canvas pixel per frame pixel.
    this.fullRes = false;
    this.frameSize = [1, 1];
    this.ready = { frame: false, lut: false };
  }
  texture(unit, target) {
    const gl = this.gl;
    const t = gl.createTexture();
    gl.activeTexture(unit);
    gl.bindTexture(target, t);
    // texelFetch only: no filtering, so float textures need no extension.
    for (const p of [gl.TEXTURE_MIN_FILTER, gl.TEXTURE_MAG_FILTER]) gl.texParameteri(target, p, gl.NEAREST);
    for (const p of [gl.TEXTURE_WRAP_S, gl.TEXTURE_WRAP_T, gl.TEXTURE_WRAP_R]) gl.texParameteri(target, p, gl.CLAMP_TO_EDGE);
    return t;
  }
  setFrame(bitmap) {
    const gl = this.gl;
    gl.activeTexture(gl.TEXTURE0);
    gl.bindTexture(gl.TEXTURE_2D, this.frameTex);
    // The PNG's code values exactly: no colour management, no premultiplication.
    gl.pixelStorei(gl.UNPACK_COLORSPACE_CONVERSION_WEBGL, gl.NONE);
    gl.pixelStorei(gl.UNPACK_PREMULTIPLY_ALPHA_WEBGL, false);
    gl.pixelStorei(gl.UNPACK_FLIP_Y_WEBGL, false);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA8, gl.RGBA, gl.UNSIGNED_BYTE, bitmap);
    this.frameSize = [bitmap.width, bitmap.height];
    this.resize();
    this.ready.frame = true;
  }
  resize() {
    const [fw, fh] = this.frameSize;
    const shown = Math.round((this.canvas.clientWidth || fw) * (window.devicePixelRatio || 1));
    const w = this.fullRes ? fw : Math.max(1, Math.min(fw, shown));
    this.canvas.width = w;
    this.canvas.height = Math.max(1, Math.round((w * fh) / fw));
  }
  setLut(size, floats) {
    const gl = this.gl;
    gl.activeTexture(gl.TEXTURE1);
    gl.bindTexture(gl.TEXTURE_3D, this.lutTex);
    // RGBA rather than RGB: SwiftShader (chromium without a GPU) fetches 4-float texels ~15 %
    // faster. Red fastest, then green, then blue: the .cube order is the texture's x, y, z.
    const rgba = new Float32Array(size * size * size * 4);
    for (let i = 0, j = 0; i < floats.length; i += 3, j += 4) {
      rgba[j] = floats[i];
      rgba[j + 1] = floats[i + 1];
      rgba[j + 2] = floats[i + 2];
      rgba[j + 3] = 1;
    }
    gl.texImage3D(gl.TEXTURE_3D, 0, gl.RGBA32F, size, size, size, 0, gl.RGBA, gl.FLOAT, rgba);
    gl.uniform1i(this.uSize, size);
    this.ready.lut = true;
  }
  draw() {
    if (!this.ready.frame || !this.ready.lut) return;
    const gl = this.gl;
    gl.viewport(0, 0, this.canvas.width, this.canvas.height);
    gl.uniform1f(this.uSplit, this.split);
    gl.uniform2f(this.uScale, this.frameSize[0] / this.canvas.width, this.frameSize[1] / this.canvas.height);
    gl.drawArrays(gl.TRIANGLES, 0, 3);
  }
  // RGBA8 rows top-down (the test compares them with the server's render).
  pixels() {
    const gl = this.gl, w = this.canvas.width, h = this.canvas.height;
    const raw = new Uint8Array(w * h * 4);
    gl.readPixels(0, 0, w, h, gl.RGBA, gl.UNSIGNED_BYTE, raw);
    const out = new Uint8Array(w * h * 4);
    for (let y = 0; y < h; ++y) out.set(raw.subarray((h - 1 - y) * w * 4, (h - y) * w * 4), y * w * 4);
    return { width: w, height: h, data: out };
  }
}

// ---------------------------------------------------------------- state

const state = { job: null, shot: 0, preview: null, lutRequests: 0, lutShown: 0, inFlight: false, dirty: false, lastLutMs: 0 };
window.agState = state;  // read by the browser test

function sliderValues() {
  const s = {};
  for (const el of document.querySelectorAll('[data-slider]')) {
    const v = parseFloat(el.value);
    if (el.dataset.slider === 'strength') { if (el.dataset.touched) s.strength = v; } else if (v !== 0) s[el.dataset.slider] = v;
  }
  return s;
}

function resetSliders() {
  for (const el of document.querySelectorAll('[data-slider]')) {
    el.value = el.dataset.slider === 'strength' ? 1 : 0;
    delete el.dataset.touched;
    el.nextElementSibling.textContent = el.dataset.slider === 'strength' ? '–' : '0';
  }
}

// Fetches the shot's LUT for the current slider state and shows it; while one request is out,
// later slider moves only mark the state dirty, and the newest state is fetched next.
async function refreshLut() {
  if (!state.job || state.job.version < 1) return;
  if (state.inFlight) { state.dirty = true; return; }
  state.inFlight = true;
  const id = ++state.lutRequests;
  try {
    const t0 = performance.now();
    const res = await postJson(`/api/jobs/${state.job.id}/preview`, { shot: state.shot, sliders: sliderValues() });
    const size = parseInt(res.headers.get('X-Lut-Size'), 10);
    const floats = new Float32Array(await res.arrayBuffer());
    state.preview.setLut(size, floats);
    state.preview.draw();
    state.lastLutMs = performance.now() - t0;
    state.lutShown = id;
    $('preview-info').textContent = `shot ${state.shot}, LUT ${size}³ re-baked by the server in ${state.lastLutMs.toFixed(0)} ms (round trip); drawn on the GPU`;
  } catch (e) {
    say('preview: ' + e.message);
  } finally {
    state.inFlight = false;
    if (state.dirty) { state.dirty = false; refreshLut(); }
  }
}

async function loadFrame() {
  const res = await api(`/api/jobs/${state.job.id}/shots/${state.shot}/frame.png`);
  const bitmap = await createImageBitmap(await res.blob(), { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  state.preview.setFrame(bitmap);
}

async function selectShot(n) {
  state.shot = n;
  document.querySelectorAll('#shots figure').forEach((f, i) => f.classList.toggle('current', i === n));
  await loadFrame();
  await refreshLut();
  const plan = await (await api(`/api/jobs/${state.job.id}/plan`)).json();
  $('exclude').textContent = plan.shots[n].excluded ? 'Include this shot again' : 'Exclude this shot';
  $('exclude').dataset.excluded = plan.shots[n].excluded ? '1' : '';
}

async function blobUrl(path) { return URL.createObjectURL(await (await api(path)).blob()); }

async function showJob(job) {
  state.job = job;
  document.querySelectorAll('#jobs li').forEach((li) => li.classList.toggle('current', li.dataset.id === job.id));
  if (job.state !== 'done' || job.version < 1) {
    $('studio').hidden = true;
    if (job.state === 'queued' || job.state === 'running') watch(job.id);
    else say(`job ${job.id}: ${job.state}${job.error ? ' — ' + job.error : ''}`);
    return;
  }
  $('studio').hidden = false;
  say(`job ${job.id}: ${job.source_name}, ${job.shots} shot(s), version ${job.version}`);
  const strip = $('shots');
  strip.textContent = '';
  for (let i = 0; i < job.shots; ++i) {
    const fig = document.createElement('figure');
    const img = document.createElement('img');
    img.alt = `shot ${i}`;
    const cap = document.createElement('figcaption');
    cap.textContent = `shot ${i}`;
    fig.append(img, cap);
    fig.onclick = () => selectShot(i);
    strip.append(fig);
    // Thumbnails show the grade: the server's render of each shot's frame.
    blobUrl(`/api/jobs/${job.id}/shots/${i}/render.png`).then((u) => (img.src = u));
  }
  renderHistory(job);
  await renderDownloads(job);
  resetSliders();
  await selectShot(Math.min(state.shot, job.shots - 1));
}

function renderHistory(job) {
  const ol = $('history');
  ol.textContent = '';
  for (const v of job.versions) {
    const li = document.createElement('li');
    li.textContent = `v${v.version}: ${v.command}${v.rendered ? ' (rendered)' : ''}`;
    li.classList.toggle('current', v.version === job.version);
    ol.append(li);
  }
  $('undo').disabled = !job.versions.find((v) => v.version === job.version && v.parent > 0);
}

async function renderDownloads(job) {
  const ul = $('downloads');
  ul.textContent = '';
  const add = (label, path, name) => {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.textContent = label;
    a.href = '#';
    a.onclick = async (ev) => {
      ev.preventDefault();
      const link = document.createElement('a');
      link.href = await blobUrl(path);
      link.download = name;
      link.click();
    };
    li.append(a);
    ul.append(li);
  };
  add(`plan v${job.version} (.json)`, `/api/jobs/${job.id}/plan`, `plan.v${job.version}.json`);
  const luts = await (await api(`/api/jobs/${job.id}/luts`)).json();
  add(`all LUTs v${job.version} (.zip)`, `/api/jobs/${job.id}/luts.zip`, `luts.v${job.version}.zip`);
  for (const l of luts.luts) add(`shot ${l.shot} LUT (${l.file})`, l.url, l.file);
  const cur = job.versions.find((v) => v.version === job.version);
  if (cur && cur.rendered) add(`graded clip v${job.version}`, `/api/jobs/${job.id}/output`, `graded.v${job.version}.mp4`);
  if (job.links && job.links.report) add('report (grade, HTML)', job.links.report, 'report.html');
  if (job.links && job.links.report_pdf) add('report (grade, PDF)', job.links.report_pdf, 'report.pdf');
}

// Progress from the job's server-sent events (read through fetch so the bearer token goes along).
async function watch(id) {
  $('progress').hidden = false;
  const res = await api(`/api/jobs/${id}/events`);
  const reader = res.body.getReader();
  const dec = new TextDecoder();
  let buf = '', last = null;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += dec.decode(value, { stream: true });
    let at;
    while ((at = buf.indexOf('\n\n')) >= 0) {
      const ev = buf.slice(0, at);
      buf = buf.slice(at + 2);
      if (!ev.startsWith('data: ')) continue;
      last = JSON.parse(ev.slice(6));
      $('progress-fill').style.width = (100 * last.progress).toFixed(1) + '%';
      $('progress-text').textContent = `${last.task} ${last.state} ${last.stage} ${(100 * last.progress).toFixed(0)}%`;
    }
  }
  $('progress').hidden = true;
  await loadJobs();
  if (last && (!state.job || state.job.id === id)) await showJob(await (await api(`/api/jobs/${id}`)).json());
}

async function loadJobs() {
  const { jobs } = await (await api('/api/jobs')).json();
  const ul = $('jobs');
  ul.textContent = '';
  for (const j of jobs.slice().reverse()) {
    const li = document.createElement('li');
    li.dataset.id = j.id;
    li.textContent = `${j.source_name || j.id} — ${j.state}${j.version ? ' v' + j.version : ''}`;
    li.classList.toggle('current', state.job && state.job.id === j.id);
    li.onclick = () => showJob(j);
    ul.append(li);
  }
  return jobs;
}

async function afterEdit(res) {
  const job = await res.json();
  if (job.refined && job.refined.not_understood && job.refined.not_understood.length)
    $('refine-info').textContent = 'not understood: ' + job.refined.not_understood.join(', ');
  await showJob(job);
}

function wire() {
  state.preview = new Preview($('preview'));
  $('upload').onsubmit = async (ev) => {
    ev.preventDefault();
    const form = new FormData();
    form.append('clip', $('clip').files[0]);
    if ($('reference').files[0]) form.append('reference', $('reference').files[0]);
    if ($('prompt').value) form.append('prompt', $('prompt').value);
    try {
      const job = await (await api('/api/jobs', { method: 'POST', body: form })).json();
      state.job = job;
      state.shot = 0;
      await loadJobs();
      await watch(job.id);
    } catch (e) { say('upload: ' + e.message); }
  };
  for (const el of document.querySelectorAll('[data-slider]')) {
    el.oninput = () => {
      if (el.dataset.slider === 'strength') el.dataset.touched = '1';
      el.nextElementSibling.textContent = el.value;
      refreshLut();
    };
  }
  $('full-res').onchange = () => { state.preview.fullRes = $('full-res').checked; state.preview.resize(); state.preview.draw(); };
  window.addEventListener('resize', () => { state.preview.resize(); state.preview.draw(); });
  $('split').oninput = () => { state.preview.split = parseFloat($('split').value); state.preview.draw(); };
  const guard = (fn) => async (ev) => { ev.preventDefault(); try { await fn(); } catch (e) { say(e.message); } };
  $('reset').onclick = guard(async () => { resetSliders(); await refreshLut(); });
  $('apply').onclick = guard(async () => {
    const body = { sliders: sliderValues() };
    if ($('this-shot').checked) body.shot = state.shot;
    await afterEdit(await postJson(`/api/jobs/${state.job.id}/refine`, body));
  });
  $('refine').onclick = guard(async () => {
    const body = { text: $('refine-text').value };
    if ($('this-shot').checked) body.shot = state.shot;
    await afterEdit(await postJson(`/api/jobs/${state.job.id}/refine`, body));
  });
  $('undo').onclick = guard(async () => afterEdit(await postJson(`/api/jobs/${state.job.id}/undo`)));
  $('exclude').onclick = guard(async () =>
    afterEdit(await postJson(`/api/jobs/${state.job.id}/shots/${state.shot}/exclude`, { excluded: !$('exclude').dataset.excluded })));
  $('regrade').onclick = guard(async () => {
    if (!$('shot-ref').files[0]) throw new Error('choose a reference still for the shot first');
    const form = new FormData();
    form.append('reference', $('shot-ref').files[0]);
    await api(`/api/jobs/${state.job.id}/shots/${state.shot}/reference`, { method: 'POST', body: form });
    await watch(state.job.id);
  });
  $('render').onclick = guard(async () => {
    await postJson(`/api/jobs/${state.job.id}/render`);
    await watch(state.job.id);
  });
  loadJobs().catch((e) => say(e.message));
}

// For the browser test and for measuring: draw `n` frames of a synthetic width × height picture
// through the current LUT, waiting for each to finish; returns milliseconds per frame. `fullRes`
// false draws at the size the canvas is shown with, as the page does.
window.agBench = (width, height, n, fullRes = true) => {
  const p = state.preview, gl = p.gl;
  const saved = { w: p.canvas.width, h: p.canvas.height };
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < data.length; ++i) data[i] = (i * 2654435761) >>> 24;
  gl.activeTexture(gl.TEXTURE0);
  gl.bindTexture(gl.TEXTURE_2D, p.frameTex);
  gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA8, width, height, 0, gl.RGBA, gl.UNSIGNED_BYTE, data);
  const savedFrame = p.frameSize, savedFull = p.fullRes;
  p.frameSize = [width, height];
  p.fullRes = fullRes;
  p.resize();
  const px = new Uint8Array(4);
  p.draw();
  gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px);
  const t0 = performance.now();
  for (let i = 0; i < n; ++i) {
    p.draw();
    gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px);  // waits for the frame
  }
  const ms = (performance.now() - t0) / n;
  p.frameSize = savedFrame;
  p.fullRes = savedFull;
  p.canvas.width = saved.w;
  p.canvas.height = saved.h;
  return loadFrame().then(() => { p.draw(); return ms; });
};

wire();

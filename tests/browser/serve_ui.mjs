// Drives the `clipdex serve` web UI in headless Chromium (puppeteer-core, no download: the
// system's Chromium): search -> results -> open a clip -> the video plays past the clip's start ->
// set a tier with a reason -> reload shows it -> export downloads the results as JSONL.
// Then: a clip whose caption is hostile markup shows it as text, and a caption search marks the
// matched word.
// Usage: node serve_ui.mjs URL DOWNLOAD_DIR WORD [HOSTILE_CLIP_ID CAPTION_WORD]
// Prints one JSON line with what it saw; exit status 0 only when every step passed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import puppeteer from 'puppeteer-core';

const [url, downloadDir, word, hostileClip, captionWord] = process.argv.slice(2);
// A step waits up to 60 s: under the whole suite at -j2 on 2 cores one took over 30 s.
const STEP_MS = 60000;
const chromium = process.env.CHROMIUM || '/usr/bin/chromium';

function fail(message) {
  console.log(JSON.stringify({ ok: false, error: message }));
  process.exit(1);
}
setTimeout(() => fail('overall timeout (270 s) | seen ' + JSON.stringify(seen)), 270000).unref();

const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-ui-'));
const browser = await puppeteer.launch({
  executablePath: chromium,
  headless: true,
  userDataDir: profile,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--autoplay-policy=no-user-gesture-required',
         '--mute-audio'],
  protocolTimeout: STEP_MS,
});
const problems = [];
const seen = {};
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(STEP_MS);
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
  page.on('console', (m) => { if (m.type() === 'error') problems.push('console: ' + m.text()); });
  page.on('dialog', (d) => { problems.push('dialog opened: ' + d.message()); d.dismiss(); });
  await page.evaluateOnNewDocument(() => { window.alert = () => { window.__alerted = true; }; });

  // Search through the form.
  seen.step = 'search form';
  await page.goto(url + '/', { waitUntil: 'load' });
  await page.waitForSelector('#search-form');
  await page.type('#q', word);
  await page.click('#search-btn');
  await page.waitForFunction((w) => location.hash.includes(encodeURIComponent(w)) &&
    document.querySelectorAll('[data-testid=result]').length > 0, {}, word);
  seen.results = await page.$$eval('[data-testid=result]', (cards) => cards.map((c) => Number(c.getAttribute('data-clip-id'))));
  seen.result_info = await page.$eval('#result-info', (e) => e.textContent);

  seen.step = 'hover preview';
  // Hovering a result previews the matched range in a video inside the card.
  await page.hover(`[data-testid=result][data-clip-id="${seen.results[0]}"]`);
  await page.waitForSelector(`[data-testid=result][data-clip-id="${seen.results[0]}"] video`);
  seen.preview_src = await page.$eval(`[data-testid=result][data-clip-id="${seen.results[0]}"] video`,
    (v) => v.getAttribute('src') || v.src);

  seen.step = 'play clip';
  // Open the first clip; its video must play past the clip's start.
  const first = seen.results[0];
  await page.click(`[data-testid=result][data-clip-id="${first}"]`);
  await page.waitForSelector('#clip-view[data-loaded=true]');
  const clip = await page.evaluate(async (id) => (await fetch('/api/v1/clip/' + id)).json(), first);
  seen.clip_id = clip.id;
  seen.clip_start = clip.start;
  const ahead = Math.min(0.3, (clip.end - clip.start) / 2);
  await page.waitForFunction((start, ahead) => {
    const v = document.getElementById('clip-video');
    if (v.error) throw new Error('video error ' + v.error.code + ' ' + v.error.message);
    return v.currentTime > start + ahead;
  }, { polling: 100 }, clip.start, ahead);
  seen.current_time = await page.$eval('#clip-video', (v) => v.currentTime);
  seen.video_src = await page.$eval('#clip-video', (v) => v.getAttribute('src'));
  seen.title = await page.$eval('#clip-title', (e) => e.textContent);

  seen.step = 'set tier';
  // Set a tier with a reason; the page shows it, and still after a reload.
  const reason = 'browser <b>test</b> "quoted"';
  await page.type('#tier-input', 'gold');
  await page.type('#tier-reason', reason);
  await page.click('#tier-set');
  await page.waitForFunction(() => document.getElementById('manual-tier').textContent === 'gold');
  await page.reload({ waitUntil: 'load' });
  await page.waitForSelector('#clip-view[data-loaded=true]');
  seen.manual_tier = await page.$eval('#manual-tier', (e) => e.textContent);
  seen.manual_reason = await page.$eval('#manual-reason', (e) => e.textContent);
  if (seen.manual_tier !== 'gold') throw new Error('manual tier after reload: ' + seen.manual_tier);
  if (!seen.manual_reason.includes(reason)) throw new Error('reason after reload: ' + seen.manual_reason);

  seen.step = 'stats page';
  // Overview page.
  await page.goto(url + '/#/stats', { waitUntil: 'load' });
  await page.waitForSelector('#stats-view[data-loaded=true]');
  seen.stats_clips = Number(await page.$eval('#stats-clips', (e) => e.textContent));

  seen.step = 'export';
  // Export the result set: a JSONL download.
  await page.goto(url + '/#/search?q=' + encodeURIComponent(word), { waitUntil: 'load' });
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=result]').length > 0);
  const cdp = await page.createCDPSession();
  await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloadDir });
  await page.click('#export');
  const deadline = Date.now() + STEP_MS;
  let file = null;
  while (Date.now() < deadline && !file) {
    const done = fs.readdirSync(downloadDir).filter((f) => f.endsWith('.jsonl'));
    if (done.length) file = path.join(downloadDir, done[0]);
    else await new Promise((r) => setTimeout(r, 200));
  }
  if (!file) throw new Error('no JSONL download in ' + downloadDir);
  await new Promise((r) => setTimeout(r, 300));
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l);
  seen.export_file = file;
  seen.export_ids = lines.map((l) => JSON.parse(l).clip_id);

  if (hostileClip) {
    seen.step = 'hostile caption';
    // The hostile caption reaches the page as text, exactly.
    await page.goto(url + '/#/clip/' + hostileClip, { waitUntil: 'load' });
    await page.waitForSelector('#clip-view[data-loaded=true]');
    const api = await page.evaluate(async (id) => (await fetch('/api/v1/clip/' + id)).json(), hostileClip);
    const shown = await page.$$eval('#captions td', (cells) => cells.map((c) => c.textContent));
    seen.hostile_caption_shown = shown.includes(api.captions['caption.text']);
    if (!seen.hostile_caption_shown) throw new Error('hostile caption not shown as text');
    seen.step = 'caption highlight';
    // A caption search highlights the word inside the hostile caption.
    await page.goto(url + '/#/search?q=' + encodeURIComponent(captionWord), { waitUntil: 'load' });
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=result]').length > 0);
    seen.caption_hits = await page.$$eval('[data-testid=result]', (c) => c.map((e) => Number(e.getAttribute('data-clip-id'))));
    seen.marks = await page.$$eval('[data-testid=match-reason] mark', (m) => m.map((e) => e.textContent));
  }

  // Hostile strings stayed text: no injected elements, no alert.
  seen.scripts = await page.$$eval('script', (s) => s.length);
  seen.injected_images = await page.$$eval('img[src="x"]', (s) => s.length);
  seen.alerted = await page.evaluate(() => !!window.__alerted);
  if (seen.scripts !== 1 || seen.injected_images !== 0 || seen.alerted) {
    throw new Error('markup from the catalog became live: ' + JSON.stringify(seen));
  }
  if (problems.length) throw new Error(problems.join('; '));
  console.log(JSON.stringify(Object.assign({ ok: true }, seen)));
  await browser.close();
  fs.rmSync(profile, { recursive: true, force: true });
  process.exit(0);
} catch (e) {
  await browser.close().catch(() => {});
  fs.rmSync(profile, { recursive: true, force: true });
  fail(e.message + (problems.length ? ' | ' + problems.join('; ') : '') + ' | seen ' + JSON.stringify(seen));
}

// clipdex web UI: search, play, curate. Vanilla JS, no external loads. Every string from the
// catalog reaches the page through textContent or setAttribute on a safe attribute, never
// through HTML parsing (innerHTML is not used anywhere).
'use strict';

const $ = (id) => document.getElementById(id);
const PAGE = 48;
let lastHits = [];

// Element builder: text children become text nodes; attributes via setAttribute.
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = String(v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

function setStatus(text, isError) {
  const s = $('status');
  s.textContent = text || '';
  s.hidden = !text;
  s.className = isError ? 'error' : '';
}

// fetch + JSON; throws Error(message) with the server's {"error"} text.
async function api(path, options) {
  const opts = Object.assign({ credentials: 'same-origin', headers: {} }, options || {});
  const res = await fetch(path, opts);
  let body = null;
  try { body = await res.json(); } catch (e) { body = null; }
  if (res.status === 401) {
    throw new Error('access token needed: open this page once as /?token=<your token>');
  }
  if (!res.ok) throw new Error((body && body.error) || ('HTTP ' + res.status));
  return body;
}

function seconds(s) { return (Math.round(s * 10) / 10).toFixed(1) + ' s'; }

// Text with matched terms between \x01 and \x02 -> nodes with <mark>.
function highlighted(text) {
  const span = el('span');
  const parts = String(text).split(/([\x01\x02])/);
  let inMark = false;
  for (const p of parts) {
    if (p === '\x01') { inMark = true; continue; }
    if (p === '\x02') { inMark = false; continue; }
    if (p) span.append(inMark ? el('mark', { text: p }) : document.createTextNode(p));
  }
  return span;
}

function mediaUrl(id, start, end) {
  return '/api/v1/media/' + Number(id) + '#t=' + Number(start).toFixed(3) + ',' + Number(end).toFixed(3);
}

// ---- search -----------------------------------------------------------------------------------

function formParams() {
  const p = new URLSearchParams();
  for (const name of ['q', 'where', 'tier', 'sort']) {
    const v = $(name).value.trim();
    if (v) p.set(name, v);
  }
  if ($('asc').checked) p.set('asc', '1');
  return p;
}

function fillForm(p) {
  for (const name of ['q', 'where', 'tier', 'sort']) $(name).value = p.get(name) || '';
  $('asc').checked = p.get('asc') === '1';
}

function hitCard(h) {
  const media = el('div', { class: 'media' });
  if (h.has_thumbnail) {
    media.append(el('img', { src: '/api/v1/thumb/' + Number(h.id), alt: '', loading: 'lazy' }));
  }
  media.append(el('span', { class: 'badge duration', text: seconds(h.duration) }));
  const badges = el('div');
  if (h.tier) badges.append(el('span', { class: 'badge tier', 'data-testid': 'tier-badge', text: h.tier }));
  if (h.movement) badges.append(el('span', { class: 'badge', text: h.movement }));
  if (h.shot_scale) badges.append(el('span', { class: 'badge', text: h.shot_scale }));
  if (h.similarity !== null && h.similarity !== undefined) {
    badges.append(el('span', { class: 'badge', text: 'similarity ' + h.similarity.toFixed(2) }));
  }
  const hl = h.highlights || {};
  const shown = hl.caption || hl.screen_text || hl.labels || hl.tags || hl.path || hl.glossary;
  const card = el('div', { class: 'card', 'data-testid': 'result', 'data-clip-id': h.id, tabindex: '0' },
    media,
    el('div', { class: 'body' },
      el('div', { class: 'path', title: h.video, text: h.video.split('/').pop() + ' #' + h.index }),
      badges,
      el('div', { class: 'reason', 'data-testid': 'match-reason' },
        shown ? highlighted(shown) : (h.match_reason || h.caption || ''))));
  // Hover plays the matched part of the clip, muted.
  let preview = null;
  card.addEventListener('mouseenter', () => {
    preview = el('video', { muted: true, playsinline: true, autoplay: true, preload: 'auto' });
    preview.muted = true;
    preview.src = mediaUrl(h.id, h.match_start, h.match_end);
    media.append(preview);
    preview.play().catch(() => {});
  });
  card.addEventListener('mouseleave', () => {
    if (preview) { preview.pause(); preview.removeAttribute('src'); preview.load(); preview.remove(); preview = null; }
  });
  const open = () => { location.hash = '#/clip/' + Number(h.id); };
  card.addEventListener('click', open);
  card.addEventListener('keydown', (e) => { if (e.key === 'Enter') open(); });
  return card;
}

// Searches can overlap (the page's first search is still out when the user's arrives) and their
// answers can come back in either order: only the newest one may fill the results.
let searchSeq = 0;

async function runSearch(params) {
  const seq = ++searchSeq;
  const offset = Number(params.get('offset') || 0);
  const query = new URLSearchParams(params);
  query.set('limit', String(PAGE));
  query.set('offset', String(offset));
  const exportQuery = new URLSearchParams(params);
  exportQuery.delete('offset');
  exportQuery.set('format', 'jsonl');
  $('export').setAttribute('href', '/api/v1/export?' + exportQuery.toString());
  $('result-info').textContent = 'searching…';
  const results = $('results');
  clear(results);
  let body;
  try {
    const file = $('like-image').files[0];
    if (file) {
      body = await api('/api/v1/search?' + query.toString(), { method: 'POST', body: file });
    } else {
      body = await api('/api/v1/search?' + query.toString());
    }
  } catch (e) {
    if (seq !== searchSeq) return;
    $('result-info').textContent = '';
    setStatus(e.message, true);
    return;
  }
  if (seq !== searchSeq) return;  // a newer search has started: its answer fills the page
  setStatus('');
  clear(results);
  lastHits = body.hits;
  for (const h of body.hits) results.append(hitCard(h));
  let info = body.total + (body.total_capped ? '+' : '') + ' clips';
  if (body.total > body.hits.length) info += ' (' + (offset + 1) + '–' + (offset + body.hits.length) + ')';
  if (body.understood && body.understood.length) info += ' · understood: ' + body.understood.join(' and ');
  info += ' · ' + body.mode + ' · ' + (body.seconds * 1000).toFixed(0) + ' ms';
  $('result-info').textContent = info;
  results.setAttribute('data-total', String(body.total));
  $('prev-page').disabled = offset === 0;
  // A full page may have more after it even where the reported total is capped.
  $('next-page').disabled = body.hits.length < PAGE && offset + body.hits.length >= body.total;
}

function currentParams() {
  const h = location.hash;
  const i = h.indexOf('?');
  return new URLSearchParams(i >= 0 ? h.slice(i + 1) : '');
}

function goSearch(params) {
  location.hash = '#/search?' + params.toString();
}

// ---- clip page --------------------------------------------------------------------------------

function kvRows(table, entries) {
  clear(table);
  for (const [k, v] of entries) {
    const text = typeof v === 'string' ? v : JSON.stringify(v);
    table.append(el('tr', {}, el('th', { text: k }), el('td', { text: text })));
  }
}

async function showClip(id) {
  let c;
  try {
    c = await api('/api/v1/clip/' + Number(id));
  } catch (e) {
    setStatus(e.message, true);
    return;
  }
  setStatus('');
  $('clip-view').setAttribute('data-clip-id', String(c.id));
  $('clip-title').textContent = c.video + ' #' + c.index;
  const video = $('clip-video');
  const src = mediaUrl(c.id, c.start, c.end);
  if (video.getAttribute('src') !== src) {
    video.muted = true;
    video.setAttribute('src', src);
    video.play().catch(() => {});
  }
  $('clip-range').textContent = seconds(c.start) + ' – ' + seconds(c.end) + ' (' + seconds(c.duration) + ')' +
    (c.width ? ' · ' + c.width + '×' + c.height : '') + (c.fps ? ' · ' + c.fps.toFixed(2) + ' fps' : '');
  const kf = $('keyframes');
  clear(kf);
  for (const t of c.keyframes) {
    const b = el('button', { type: 'button', text: seconds(t) });
    b.addEventListener('click', () => { video.currentTime = c.start + t; video.play().catch(() => {}); });
    kf.append(b, ' ');
  }
  $('clip-tier').textContent = c.tier.tiered ? (c.tier.tier || '—') : 'untiered';
  $('clip-rule').textContent = c.tier.rule ? '(' + c.tier.rule + ')' : '';
  $('manual-tier').textContent = c.manual_tier ? c.manual_tier.tier : 'none';
  $('manual-reason').textContent = c.manual_tier
    ? (c.manual_tier.reason ? '“' + c.manual_tier.reason + '”' : '') + ' by ' + c.manual_tier.who + ' ' + c.manual_tier.at
    : '';
  const tags = $('tags');
  clear(tags);
  for (const t of c.tags) {
    const remove = el('button', { type: 'button', title: 'remove tag', 'data-testid': 'remove-tag', text: '×' });
    remove.addEventListener('click', async () => {
      try {
        await api('/api/v1/clip/' + Number(c.id) + '/tags/' + encodeURIComponent(t.tag), { method: 'DELETE' });
        showClip(c.id);
      } catch (e) { setStatus(e.message, true); }
    });
    tags.append(el('li', { 'data-testid': 'tag' }, el('span', { text: t.tag }), remove));
  }
  const near = $('near-duplicates');
  clear(near);
  if (!c.near_duplicates.length) near.append(el('li', { class: 'muted', text: 'none' }));
  for (const n of c.near_duplicates) {
    const label = n.video.split('/').pop() + ' #' + n.index + (n.tier ? ' · ' + n.tier : '') + (n.dup_of ? ' (duplicate)' : ' (kept)');
    near.append(el('li', {}, n.id ? el('a', { href: '#/clip/' + Number(n.id), text: label }) : label));
  }
  const captions = Object.entries(c.captions);
  kvRows($('captions'), captions.length ? captions : [['caption', '(none yet: clipdex caption DATASET)']]);
  $('explain').textContent = c.explain;
  const attrs = [['video', c.video], ['fingerprint', c.fingerprint], ['transition in', c.transition_in],
    ['transition out', c.transition_out], ['frames', c.first_frame + '–' + c.last_frame]];
  kvRows($('attributes'), attrs.concat(Object.entries(c.attributes)));
  const log = $('log');
  clear(log);
  for (const e of c.log) {
    log.append(el('li', { text: e.at + ' ' + e.who + ': ' + e.action + ' ' + e.value + (e.reason ? ' (' + e.reason + ')' : '') }));
  }
  $('clip-view').setAttribute('data-loaded', 'true');
}

async function clipWrite(method, suffix, body) {
  const id = Number($('clip-view').getAttribute('data-clip-id'));
  const opts = { method: method, headers: { 'Content-Type': 'application/json' } };
  if (body) opts.body = JSON.stringify(body);
  try {
    await api('/api/v1/clip/' + id + suffix, opts);
    await showClip(id);
  } catch (e) { setStatus(e.message, true); }
}

// ---- overview ---------------------------------------------------------------------------------

function bars(table, rows) {
  clear(table);
  const max = Math.max(1, ...rows.map((r) => r[1]));
  for (const [label, n, extra] of rows) {
    const bar = el('span', { class: 'bar' });
    bar.style.width = Math.max(2, Math.round(200 * n / max)) + 'px';
    table.append(el('tr', { 'data-tier': label, 'data-clips': n },
      el('th', { text: label || '(none)' }), el('td', { text: n }), el('td', {}, bar), el('td', { class: 'muted', text: extra || '' })));
  }
}

async function showStats() {
  let s;
  try { s = await api('/api/v1/stats'); } catch (e) { setStatus(e.message, true); return; }
  setStatus('');
  $('stats-videos').textContent = s.videos_ok;
  $('stats-failed').textContent = s.videos_failed;
  $('stats-clips').textContent = s.clips;
  $('stats-hours').textContent = s.hours.toFixed(2);
  $('stats-index').textContent = s.search_index.indexed + ' indexed, ' + s.search_index.dirty + ' waiting';
  $('stats-dedup').textContent = s.dedup.duplicates + ' duplicates in ' + s.dedup.grouped + ' grouped clips';
  const tiers = s.tiers.map((t) => [t.tier, t.clips, (t.seconds / 60).toFixed(1) + ' min']);
  if (s.untiered.clips) tiers.push(['', s.untiered.clips, 'untiered']);
  bars($('stats-tiers'), tiers);
  bars($('stats-movement'), Object.entries(s.camera_movement));
  bars($('stats-scale'), Object.entries(s.shot_scale));
  $('stats-view').setAttribute('data-loaded', 'true');
}

async function loadChrome() {
  try {
    const s = await api('/api/v1/stats');
    $('dataset').textContent = s.dataset + (s.read_only ? ' (read-only)' : '');
    const tier = $('tier');
    const wanted = currentParams().get('tier') || '';
    for (const t of s.tiers) tier.append(el('option', { value: t.tier, text: t.tier }));
    tier.value = wanted;
    const names = $('sort-names');
    for (const n of ['duration', 'quality.sharpness', 'aesthetic.score', 'camera.confidence', 'text.area_ratio']) {
      names.append(el('option', { value: n }));
    }
    document.body.classList.toggle('read-only', !!s.read_only);
  } catch (e) { setStatus(e.message, true); }
}

// ---- routing ----------------------------------------------------------------------------------

function route() {
  const h = location.hash || '#/';
  for (const v of ['search-view', 'clip-view', 'stats-view']) $(v).hidden = true;
  const video = $('clip-video');
  if (!h.startsWith('#/clip/')) { video.pause(); }
  if (h.startsWith('#/clip/')) {
    $('clip-view').hidden = false;
    $('clip-view').removeAttribute('data-loaded');
    showClip(parseInt(h.slice(7), 10));
  } else if (h.startsWith('#/stats')) {
    $('stats-view').hidden = false;
    showStats();
  } else {
    $('search-view').hidden = false;
    const p = currentParams();
    fillForm(p);
    runSearch(p);
  }
}

document.addEventListener('DOMContentLoaded', () => {
  $('search-form').addEventListener('submit', (e) => { e.preventDefault(); goSearch(formParams()); });
  $('like-image').addEventListener('change', () => { runSearch(formParams()); });
  $('prev-page').addEventListener('click', () => {
    const p = currentParams();
    p.set('offset', String(Math.max(0, Number(p.get('offset') || 0) - PAGE)));
    goSearch(p);
  });
  $('next-page').addEventListener('click', () => {
    const p = currentParams();
    p.set('offset', String(Number(p.get('offset') || 0) + PAGE));
    goSearch(p);
  });
  $('back').addEventListener('click', (e) => { e.preventDefault(); history.back(); });
  $('tier-form').addEventListener('submit', (e) => {
    e.preventDefault();
    clipWrite('POST', '/tier', { tier: $('tier-input').value.trim(), reason: $('tier-reason').value.trim() });
  });
  $('tier-clear').addEventListener('click', () => clipWrite('DELETE', '/tier'));
  $('tag-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const tag = $('tag-input').value.trim();
    if (tag) clipWrite('POST', '/tags', { tag: tag }).then(() => { $('tag-input').value = ''; });
  });
  window.addEventListener('hashchange', route);
  loadChrome().then(route);
});

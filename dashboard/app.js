// Spoedbrug dashboard: plain JavaScript, no build step, nothing from outside the gateway. All data comes
// from the gateway's FHIR API with the coordinator's own identity (the HttpOnly session cookie); text is
// set with textContent only. Refreshes by polling (?interval=<seconds>, default 15).
'use strict';

const FHIR = '/fhir';
const CARE_OPTION = 'https://spoedbrug.nl/fhir/CodeSystem/care-option';
const STATUS_NL = {
  draft: 'Concept', requested: 'Aangevraagd', received: 'Ontvangen', accepted: 'Geaccepteerd', rejected: 'Afgewezen',
  ready: 'Gereed', 'in-progress': 'In behandeling', 'on-hold': 'Gepauzeerd',
};
const OPEN = ['requested', 'received', 'accepted', 'rejected', 'in-progress', 'on-hold'];
const TILES = [
  { id: 'request-volume', label: 'Verzoeken', days: 1, sub: 'laatste 24 uur', show: (g) => fmt(score(g)) },
  { id: 'time-to-placement', label: 'Mediane tijd tot plaatsing', days: 7, sub: '7 dagen', show: (g) => (score(g) === undefined ? '–' : `${Math.round(score(g))} min`) },
  { id: 'first-time-right', label: 'Eerste keer goed', days: 7, sub: '7 dagen', show: (g) => (score(g) === undefined ? '–' : `${Math.round(score(g) * 100)}%`) },
  { id: 'unmet-demand', label: 'Niet-vervulde vraag', days: 7, sub: '7 dagen, geëscaleerd', show: (g) => fmt(count(g, 'numerator')) },
  { id: 'declines-by-reason', label: 'Afwijzingen', days: 7, sub: '7 dagen, alle redenen', show: (g) => fmt(score(g)) },
];
const MASKED = 'klein aantal';

const state = { careOptions: new Map(), subject: '', timer: undefined };
const $ = (id) => document.getElementById(id);
const interval = Math.max(1, Number(new URLSearchParams(location.search).get('interval')) || 15) * 1000;

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) e.setAttribute(k, v);
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

async function api(path, options = {}) {
  const res = await fetch(path, { credentials: 'same-origin', headers: { accept: 'application/fhir+json, application/json' }, ...options });
  if (res.status === 401) throw Object.assign(new Error('sessie verlopen'), { status: 401 });
  if (!res.ok) throw new Error(`${res.status} bij ${path.split('?')[0]}`);
  return res.status === 204 ? undefined : res.json();
}

// --- session ---------------------------------------------------------------------------------------
async function start() {
  $('login').addEventListener('submit', login);
  $('logout').addEventListener('click', logout);
  $('subject').addEventListener('change', () => {
    state.subject = $('subject').value;
    refresh();
  });
  try {
    showBoard(await api('/dashboard/session'));
  } catch {
    showLogin();
  }
}

async function login(event) {
  event.preventDefault();
  $('login-error').textContent = '';
  try {
    const res = await fetch('/dashboard/session', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: $('token').value.trim() }),
    });
    const body = await res.json();
    if (!res.ok) throw new Error(body.issue?.[0]?.diagnostics ?? `inloggen mislukt (${res.status})`);
    $('token').value = '';
    showBoard(body);
  } catch (err) {
    $('login-error').textContent = err.message;
  }
}

async function logout() {
  await fetch('/dashboard/session', { method: 'DELETE', credentials: 'same-origin' });
  showLogin();
}

function showLogin(message) {
  clearTimeout(state.timer);
  $('board-view').hidden = true;
  $('session').hidden = true;
  $('login-view').hidden = false;
  if (message) $('login-error').textContent = message;
}

async function showBoard(who) {
  $('login-view').hidden = true;
  $('board-view').hidden = false;
  $('session').hidden = false;
  $('who').textContent = `${who.client} · geldig tot ${time(new Date(who.expiresAt))}`;
  await loadCareOptions();
  refresh();
}

async function loadCareOptions() {
  if (state.careOptions.size) return;
  const b = await api(`${FHIR}/CodeSystem?url=${encodeURIComponent(CARE_OPTION)}`);
  for (const c of b.entry?.[0]?.resource?.concept ?? []) state.careOptions.set(c.code, c.display ?? c.code);
}

async function refresh() {
  clearTimeout(state.timer);
  try {
    await Promise.all([capacity(), requests(), indicators(), trend()]);
    $('updated').textContent = `Bijgewerkt ${time(new Date())}`;
  } catch (err) {
    if (err.status === 401) return showLogin('De sessie is verlopen; log opnieuw in.');
    $('updated').textContent = `Fout: ${err.message}`;
  }
  state.timer = setTimeout(refresh, interval);
}

// --- capacity board ----------------------------------------------------------------------------------
async function capacity() {
  const r = await api(`${FHIR}/MeasureReport/$capacity-summary`);
  const groups = r.group ?? [];
  const strata = groups[0]?.stratifier?.[0]?.stratum ?? [];
  fillSubjects(r.subject, strata);
  const head = el('tr', {}, el('th', {}, 'Zorginzet'), ...strata.map((s) => el('th', { class: 'col' }, shortName(s.value?.text ?? ''))), el('th', { class: 'col' }, 'Regio'));
  const rows = groups.map((g) => {
    const code = g.code?.coding?.[0]?.code;
    // each care option has its own strata: match them to the columns by territory
    const own = new Map((g.stratifier?.[0]?.stratum ?? []).map((s) => [s.value?.coding?.[0]?.code, s.population]));
    return el(
      'tr',
      { 'data-care-option': code },
      el('td', { class: 'name' }, careOption(code)),
      ...strata.map((s) => cell(own.get(s.value?.coding?.[0]?.code), s.value?.coding?.[0]?.code)),
      cell(g.population, 'region'),
    );
  });
  $('capacity-table').replaceChildren(el('thead', {}, head), el('tbody', {}, ...rows));
}

function cell(populations, territory) {
  const n = (code) => populations?.find((p) => p.code?.coding?.[0]?.code === code)?.count ?? 0;
  const free = n('free-now');
  let cls = 'unknown';
  let text = n('services') ? '?' : '';
  let title = n('services') ? 'geen capaciteitsmelding' : 'geen aanbod';
  if (n('services-fresh')) {
    cls = free > 0 ? 'ok' : 'full';
    text = String(free);
    title = `${free} vrij nu van ${n('total-now')}; ${n('services-fresh')} actuele melding(en)`;
  } else if (n('services-stale')) {
    cls = 'stale';
    text = 'oud';
    title = 'melding verouderd: niet gebruikt voor routering';
  }
  const unmet = n('unmet-demand');
  if (unmet) title += `; ${unmet} niet-vervulde vraag`;
  return el('td', { class: `cap ${cls}`, title, 'data-territory': territory }, text + (unmet ? ` ⚠${unmet}` : ''));
}

function fillSubjects(subject, strata) {
  const select = $('subject');
  if (select.options.length) return;
  const region = subject?.identifier?.value;
  select.append(el('option', { value: region }, subject?.display ?? region));
  for (const s of strata) select.append(el('option', { value: s.value?.coding?.[0]?.code }, s.value?.text ?? ''));
  state.subject = region;
}

function shortName(name) {
  return name.replace(/^Subregio /, '');
}

// --- open requests -----------------------------------------------------------------------------------
async function requests() {
  const q = new URLSearchParams({ intent: 'order', status: OPEN.join(','), _sort: '-authored-on', _count: '100' });
  q.append('_include', 'Task:owner');
  q.append('_include', 'Task:focus');
  const b = await api(`${FHIR}/Task?${q}`);
  const byRef = new Map();
  for (const e of b.entry ?? []) byRef.set(`${e.resource.resourceType}/${e.resource.id}`, e.resource);
  const tasks = (b.entry ?? []).filter((e) => e.search?.mode === 'match').map((e) => e.resource);
  const rows = tasks.map((t) => {
    const sr = byRef.get(t.focus?.reference);
    const code = sr?.code?.coding?.find((c) => c.system === CARE_OPTION)?.code;
    const escalated = t.businessStatus?.coding?.some((c) => c.code === 'escalated');
    const status = escalated ? 'escalated' : t.status;
    const owner = byRef.get(t.owner?.reference)?.name ?? (t.owner ? 'onbekend' : 'nog niet toegewezen');
    return el(
      'tr',
      { 'data-task': t.id },
      el('td', {}, careOption(code)),
      el('td', {}, el('span', { class: `status ${status}` }, escalated ? 'Geëscaleerd' : (STATUS_NL[t.status] ?? t.status))),
      el('td', { title: owner }, owner),
      el('td', { class: 'age' }, age(t.authoredOn)),
    );
  });
  $('requests-table').tBodies[0].replaceChildren(...rows);
  $('requests-count').textContent = `${tasks.length}`;
}

// --- indicators and trend ---------------------------------------------------------------------------
// tiles: the last `days` × 24 hours up to now; the trend: whole local days
function evaluate(id, days, wholeDays = false) {
  const end = new Date();
  const start = new Date(end.getTime() - (wholeDays ? days - 1 : days) * 86_400_000);
  const q = wholeDays
    ? new URLSearchParams({ periodStart: localDate(start), periodEnd: localDate(end) })
    : new URLSearchParams({ periodStart: start.toISOString(), periodEnd: end.toISOString() });
  if (state.subject) q.set('subject', state.subject);
  return api(`${FHIR}/Measure/${id}/$evaluate-measure?${q}`);
}

async function indicators() {
  const reports = await Promise.all(TILES.map((t) => evaluate(t.id, t.days)));
  $('tiles').replaceChildren(
    ...TILES.map((t, i) => {
      const g = reports[i].group?.[0];
      const masked = g?.population?.some((p) => p.count === undefined);
      const value = masked ? MASKED : t.show(g);
      return el('div', { class: 'tile', 'data-measure': t.id }, el('div', { class: 'label' }, t.label), el('div', { class: `value${masked ? ' masked' : ''}`, title: masked ? 'Afgeschermd: te kleine aantallen kunnen personen herkenbaar maken' : undefined }, value), el('div', { class: 'sub' }, t.sub));
    }),
  );
  const name = $('subject').selectedOptions[0]?.textContent ?? '';
  $('indicator-period').textContent = name;
}

async function trend() {
  const r = await evaluate('request-volume', 14, true);
  const strata = r.group?.[0]?.stratifier?.find((s) => s.code?.[0]?.coding?.[0]?.code === 'day')?.stratum ?? [];
  const byDay = new Map(strata.map((s) => [s.value?.coding?.[0]?.code, s.population?.[0]?.count]));
  const days = [];
  for (let i = 13; i >= 0; i--) days.push(localDate(new Date(Date.now() - i * 86_400_000)));
  const values = days.map((d) => (byDay.has(d) ? byDay.get(d) : 0));
  const max = Math.max(1, ...values.map((v) => v ?? 0));
  const W = 520;
  const H = 140;
  const bw = W / days.length;
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.setAttribute('preserveAspectRatio', 'none');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', 'Aantal verzoeken per dag');
  days.forEach((d, i) => {
    const v = values[i];
    const h = v === undefined ? 0 : ((H - 34) * v) / max;
    svg.append(svgEl('rect', { class: 'bar', x: i * bw + 3, y: H - 18 - h, width: bw - 6, height: h }));
    svg.append(svgEl('text', { class: 'num', x: i * bw + bw / 2, y: H - 22 - h, 'text-anchor': 'middle' }, v === undefined ? '•' : String(v)));
    svg.append(svgEl('text', { class: 'axis', x: i * bw + bw / 2, y: H - 5, 'text-anchor': 'middle' }, `${d.slice(8, 10)}-${d.slice(5, 7)}`));
  });
  $('trend-chart').replaceChildren(svg);
}

function svgEl(tag, attrs, text) {
  const e = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

// --- formatting -------------------------------------------------------------------------------------
function score(g) {
  return g?.measureScore?.value;
}
function count(g, code) {
  return g?.population?.find((p) => p.code?.coding?.[0]?.code === code)?.count;
}
function fmt(v) {
  return v === undefined ? '–' : String(v);
}
function careOption(code) {
  return state.careOptions.get(code) ?? code ?? 'onbekend';
}
function time(d) {
  return d.toLocaleTimeString('nl-NL', { hour: '2-digit', minute: '2-digit', second: '2-digit', timeZone: 'Europe/Amsterdam' });
}
function localDate(d) {
  return d.toLocaleDateString('sv-SE', { timeZone: 'Europe/Amsterdam' });
}
function age(authoredOn) {
  const min = Math.max(0, Math.floor((Date.now() - Date.parse(authoredOn)) / 60_000));
  return min < 60 ? `${min} min` : `${Math.floor(min / 60)} u ${String(min % 60).padStart(2, '0')} m`;
}

start();

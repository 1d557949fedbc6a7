// report.html's sample browser. The index (one small array per sample) is parsed at once; a sample's texts
// live in gzip pages of a few hundred samples and are decompressed only when a sample is opened or a search
// needs them. Everything is built with textContent: no text from a run is ever parsed as HTML.
'use strict';
(() => {
  const lanes = JSON.parse(document.getElementById('ef-lanes').textContent);
  const index = JSON.parse(document.getElementById('ef-index').textContent);
  const rows = index.rows;  // [lane, id, replica, state, flags, length, answer, gold, [column values]]
  const columns = index.columns;
  const pageSize = index.page_size;
  const STATES = ['right', 'wrong', 'unscored', 'failed'];
  const ROWS_PER_VIEW = 50;
  const CACHED_PAGES = 12;
  const filters = {lane: 'all', verdict: 'all', columns: {}, search: '', ids: null};
  let visible = [];
  let view = 0;
  let generation = 0;

  const element = (tag, attributes = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes)) {
      if (key === 'class') node.className = value;
      else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value);
    }
    for (const child of children) node.append(child);
    return node;
  };

  // Pages: decompressed on demand, the most recently used few kept.
  const cache = new Map();
  function loadPage(number) {
    if (cache.has(number)) {
      const kept = cache.get(number);
      cache.delete(number);
      cache.set(number, kept);
      return kept;
    }
    const binary = atob(document.getElementById('ef-page-' + number).textContent);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    const page = new Response(stream).text().then(JSON.parse);
    cache.set(number, page);
    while (cache.size > CACHED_PAGES) cache.delete(cache.keys().next().value);
    return page;
  }
  const textsOf = (r) => loadPage(Math.floor(r / pageSize)).then((page) => page[r % pageSize]);

  const promptText = (prompt) => {
    if (prompt === undefined || prompt === null) return '';
    if (typeof prompt === 'string') return prompt;
    if (Array.isArray(prompt)) {
      return prompt.map((m) => (m && typeof m === 'object' ? `${m.role || m.prompt_role || ''}: ${m.content ?? m.prompt ?? ''}` : String(m))).join('\n\n');
    }
    return JSON.stringify(prompt, null, 2);
  };
  const searchable = (t) => [promptText(t.prompt), t.prediction, t.gold, t.error_info, t.eval_error,
    t.extracted_gold, ...Object.values(t.fields || {})].filter(Boolean).join('\n').toLowerCase();
  const indexText = (row) => [row[1], row[6], row[7], ...row[8]].join('\n').toLowerCase();

  function matches(row) {
    if (filters.lane !== 'all' && row[0] !== Number(filters.lane)) return false;
    if (filters.ids && !(filters.ids.has(row[1]))) return false;
    switch (filters.verdict) {
      case 'right': if (row[3] !== 0) return false; break;
      case 'wrong': if (row[3] !== 1) return false; break;
      case 'unscored': if (row[3] !== 2) return false; break;
      case 'failed': if (row[3] !== 3) return false; break;
      case 'cut': if (!(row[4] & 1)) return false; break;
      case 'unclosed': if (!(row[4] & 2)) return false; break;
      default: break;
    }
    for (const [c, value] of Object.entries(filters.columns)) {
      if (value !== '' && row[8][c] !== value) return false;
    }
    return true;
  }

  const busy = (text) => {
    document.getElementById('busy').textContent = text;
    document.getElementById('samples').dataset.busy = text ? '1' : '0';
  };

  async function apply() {
    const mine = ++generation;
    const candidates = [];
    for (let r = 0; r < rows.length; r++) if (matches(rows[r])) candidates.push(r);
    // Rows are stored as they finished; shown by lane, question and sample.
    candidates.sort((x, y) => rows[x][0] - rows[y][0] || rows[x][1] - rows[y][1] || rows[x][2] - rows[y][2]);
    const needle = filters.search.trim().toLowerCase();
    if (!needle) return show(candidates);
    busy('searching the texts…');
    const found = [];
    let pageNumber = -1;
    let page = null;
    for (const r of candidates) {
      if (indexText(rows[r]).includes(needle)) {
        found.push(r);
        continue;
      }
      const wanted = Math.floor(r / pageSize);
      if (wanted !== pageNumber) {
        page = await loadPage(wanted);
        if (mine !== generation) return undefined;
        pageNumber = wanted;
      }
      if (searchable(page[r % pageSize]).includes(needle)) found.push(r);
    }
    if (mine === generation) show(found);
    return undefined;
  }

  function show(found) {
    visible = found;
    view = 0;
    busy('');
    render();
  }

  function verdictBadge(row) {
    const badge = element('span', {class: 'verdict v-' + STATES[row[3]]}, STATES[row[3]]);
    const cell = element('td', {}, badge);
    if (row[4] & 1) cell.append(element('span', {class: 'flag', title: 'finish_reason: length'}, 'cut'));
    if (row[4] & 2) cell.append(element('span', {class: 'flag', title: 'stopped inside <think>'}, 'unclosed think'));
    return cell;
  }

  function header() {
    const cells = [];
    if (lanes.length > 1) cells.push('model · dataset');
    cells.push('id', 'sample', 'verdict', 'length', 'extracted answer', 'gold', ...columns);
    const head = document.getElementById('sample-head');
    head.replaceChildren(element('tr', {}, ...cells.map((c) => element('th', {}, c))));
    return cells.length;
  }

  function render() {
    const width = header();
    const body = document.getElementById('sample-rows');
    body.replaceChildren();
    const first = view * ROWS_PER_VIEW;
    for (const r of visible.slice(first, first + ROWS_PER_VIEW)) {
      const row = rows[r];
      const tr = element('tr', {class: 'sample', 'data-row': String(r), 'data-state': STATES[row[3]]});
      if (lanes.length > 1) tr.append(element('td', {}, lanes[row[0]]));
      tr.append(element('td', {}, String(row[1])), element('td', {}, String(row[2])), verdictBadge(row),
        element('td', {}, String(row[5])), element('td', {class: 'answer', title: row[6]}, row[6]),
        element('td', {class: 'answer', title: row[7]}, row[7]), ...row[8].map((v) => element('td', {}, v)));
      tr.addEventListener('click', () => toggleDetail(tr, r, width));
      body.append(tr);
    }
    document.getElementById('visible-count').textContent = String(visible.length);
    document.getElementById('total-count').textContent = String(rows.length);
    const pages = Math.max(1, Math.ceil(visible.length / ROWS_PER_VIEW));
    const pager = document.getElementById('pager');
    pager.replaceChildren(
      element('button', {onclick: () => { if (view > 0) { view--; render(); } }}, '‹ previous'),
      element('span', {}, `page ${view + 1} of ${pages}`),
      element('button', {onclick: () => { if (view + 1 < pages) { view++; render(); } }}, 'next ›'));
  }

  function splitReasoning(text) {
    const close = text.indexOf('</think>');
    if (close >= 0) {
      const open = text.indexOf('<think>');
      const start = open >= 0 && open < close ? open + 7 : 0;
      return {reasoning: text.slice(start, close), answer: text.slice(close + 8), closed: true};
    }
    const open = text.indexOf('<think>');
    if (open >= 0) return {reasoning: text.slice(open + 7), answer: text.slice(0, open), closed: false};
    return {reasoning: null, answer: text, closed: true};
  }

  const block = (title, text) => [element('h4', {}, title), element('pre', {}, text || '')];

  function keyValues(object) {
    const grid = element('div', {class: 'kv'});
    for (const [key, value] of Object.entries(object)) {
      grid.append(element('span', {}, key), element('span', {}, typeof value === 'object' ? JSON.stringify(value) : String(value)));
    }
    return grid;
  }

  function detail(row, t) {
    const parts = [...block('Prompt', promptText(t.prompt))];
    const output = splitReasoning(t.prediction || '');
    if (output.reasoning !== null) {
      const summary = `reasoning (${output.reasoning.length} characters${output.closed ? '' : ', never closed'})`;
      parts.push(element('h4', {}, 'Output'),
        element('details', {class: 'reasoning'}, element('summary', {}, summary), element('pre', {}, output.reasoning)),
        ...(output.answer.trim() ? [element('pre', {class: 'final'}, output.answer)] : []));
    } else {
      parts.push(...block('Output', output.answer));
    }
    parts.push(...block('Extracted answer', row[6] || '(none)'));
    parts.push(...block('Gold', t.gold || ''));
    if (t.extracted_gold) parts.push(...block('Gold, extracted', t.extracted_gold));
    const facts = {verdict: STATES[row[3]], id: row[1], sample: row[2]};
    for (const key of ['finish_reason', 'completion_tokens', 'prompt_tokens']) if (key in t) facts[key] = t[key];
    parts.push(element('h4', {}, 'Verdict and timings'), keyValues(Object.assign(facts, t.timing || {})));
    if (t.error_info) parts.push(...block('Error (inference)', t.error_info));
    if (t.eval_error) parts.push(...block('Error (scoring)', t.eval_error));
    if (t.fields && Object.keys(t.fields).length) parts.push(element('h4', {}, 'Fields'), keyValues(t.fields));
    parts.push(element('p', {class: 'note'}, 'row: ' + t.source));
    return element('div', {class: 'detail'}, ...parts);
  }

  function toggleDetail(tr, r, width) {
    const next = tr.nextElementSibling;
    if (next && next.classList.contains('detail')) {
      next.remove();
      return;
    }
    const cell = element('td', {colspan: String(width)}, 'loading…');
    tr.after(element('tr', {class: 'detail'}, cell));
    textsOf(r).then((t) => cell.replaceChildren(detail(rows[r], t)));
  }

  function select(label, options, onchange, value = 'all') {
    const node = element('select', {'data-filter': label});
    for (const [key, text] of options) node.append(element('option', {value: key}, text));
    node.value = value;
    node.addEventListener('change', () => onchange(node.value));
    return element('label', {}, label + ' ', node);
  }

  function buildFilters() {
    const bar = document.getElementById('filters');
    const laneSelect = lanes.length > 1 ? select('lane', [['all', 'all'], ...lanes.map((l, i) => [String(i), l])],
      (v) => { filters.lane = v; apply(); }) : null;
    if (laneSelect) bar.append(laneSelect);
    bar.append(select('verdict', [['all', 'all'], ['right', 'right'], ['wrong', 'wrong'], ['failed', 'failed'],
      ['unscored', 'unscored'], ['cut', 'cut by length'], ['unclosed', 'unclosed think']],
    (v) => { filters.verdict = v; apply(); }));
    columns.forEach((name, c) => {
      const values = [...new Set(rows.map((row) => row[8][c]).filter((v) => v !== ''))].sort(
        (a, b) => a.localeCompare(b, undefined, {numeric: true}));
      bar.append(select(name, [['', 'all'], ...values.map((v) => [v, v])], (v) => { filters.columns[c] = v; apply(); }, ''));
    });
    let timer = null;
    const search = element('input', {type: 'search', placeholder: 'search prompts, outputs, answers, gold', 'data-filter': 'search'});
    search.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(() => { filters.search = search.value; apply(); }, 250);
    });
    bar.append(element('label', {}, 'text ', search));
    const chip = element('span', {class: 'chip', hidden: ''});
    bar.append(chip);
    const focus = (lane, ids) => {
      filters.lane = String(lane);
      filters.ids = ids;
      if (laneSelect) laneSelect.querySelector('select').value = String(lane);
      chip.hidden = !ids;
      chip.replaceChildren();
      if (ids) {
        chip.append(`${ids.size} question(s) `, element('button', {onclick: () => focus(filters.lane, null)}, '× all questions'));
      }
      apply();
      document.getElementById('samples').scrollIntoView();
    };
    document.querySelectorAll('button.show-samples').forEach((b) => b.addEventListener('click', () => focus(Number(b.dataset.lane), null)));
    document.querySelectorAll('button.show-ids').forEach((b) => b.addEventListener('click', () =>
      focus(Number(b.dataset.lane), new Set(b.dataset.ids.split(',').map(Number)))));
  }

  buildFilters();
  apply();
  document.body.dataset.ready = '1';
})();

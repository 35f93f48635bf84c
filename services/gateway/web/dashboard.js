// The dashboard's page: it shows /api/dashboard and follows /events to
// show it again when anything changes, without a reload. Data reaches
// the page only through textContent, never as markup.
'use strict';

(function () {
  // Set once per load: a reload would set it again (the tests look).
  window.dhLoadedAt = Date.now();

  const $ = (id) => document.getElementById(id);
  const LIVE_WORDS = { connecting: 'đang kết nối', live: 'trực tiếp', lost: 'mất kết nối' };
  const KIND_WORDS = { item: 'Hồ sơ', step: 'Bước xử lý', supplement: 'Bổ sung' };
  const COLOURS = ['#1f5fa8', '#c0392b', '#27864a', '#d68910', '#7d3c98', '#148f77', '#a04000', '#566573'];
  // An event says something changed; what it changed may reach the
  // deadline daemon a moment later, over the daemons' own links: look
  // soon, and once more when things have settled.
  const SOON_MS = 300;
  const SETTLE_MS = 2000;
  const RECONNECT_MS = 3000;

  const state = { source: null, asked: 0, shown: 0, timers: {}, charts: {}, renders: 0 };

  // work in ms; a call while one is waiting moves it later.
  function later(name, ms, work) {
    clearTimeout(state.timers[name]);
    state.timers[name] = setTimeout(work, ms);
  }

  // work in ms, unless it is already waiting: a steady stream of events
  // still gets a look every ms, where `later` would put it off for ever.
  function soon(name, ms, work) {
    if (state.timers[name]) return;
    state.timers[name] = setTimeout(() => {
      state.timers[name] = null;
      work();
    }, ms);
  }

  function setLive(kind) {
    const badge = $('live');
    badge.dataset.state = kind;
    badge.textContent = LIVE_WORDS[kind];
  }

  function showError(words) {
    $('error').hidden = !words;
    $('error').textContent = words || '';
  }

  const number = (value) => Number(value).toLocaleString('vi-VN');

  function rate(value) {
    return value === null || value === undefined
      ? '—' : value.toLocaleString('vi-VN', { maximumFractionDigits: 1 }) + ' %';
  }

  function age(seconds) {
    if (seconds === null || seconds === undefined) return '—';
    if (seconds >= 86400) return Math.floor(seconds / 86400) + ' ngày';
    if (seconds >= 3600) return Math.floor(seconds / 3600) + ' giờ';
    return Math.floor(seconds / 60) + ' phút';
  }

  function day(text) {
    const [year, month, date] = text.split('-');
    return date + '/' + month + '/' + year;
  }

  function cell(row, field, value, words, tag) {
    const element = document.createElement(tag || 'td');
    element.dataset.field = field;
    if (value !== null && value !== undefined) element.dataset.value = String(value);
    element.textContent = words;
    row.appendChild(element);
    return element;
  }

  function unitRow(unit, name) {
    const row = document.createElement('tr');
    row.dataset.unit = unit.unit;
    cell(row, 'unit', unit.unit, name, 'th');
    cell(row, 'received', unit.received, number(unit.received));
    cell(row, 'early', unit.early, number(unit.early));
    cell(row, 'on_time', unit.on_time, number(unit.on_time));
    cell(row, 'late', unit.late, number(unit.late)).classList.toggle('bad', unit.late > 0);
    cell(row, 'on_time_rate', unit.on_time_rate, rate(unit.on_time_rate));
    cell(row, 'open_within', unit.open_within, number(unit.open_within));
    cell(row, 'open_overdue', unit.open_overdue, number(unit.open_overdue))
      .classList.toggle('bad', unit.open_overdue > 0);
    cell(row, 'queue_open', unit.queue.open, number(unit.queue.open));
    cell(row, 'queue_due_soon', unit.queue.due_soon, number(unit.queue.due_soon));
    const oldest = cell(row, 'queue_oldest_age', unit.queue.oldest_age_s, age(unit.queue.oldest_age_s));
    if (unit.queue.oldest_item) oldest.title = unit.queue.oldest_item + ' — ' + unit.queue.oldest_received.local;
    return row;
  }

  function renderUnits(board) {
    const body = $('units').tBodies[0];
    body.replaceChildren(...board.units.map((unit) => unitRow(unit, unit.unit)));
    $('units').tFoot.replaceChildren(unitRow(board.total, 'Toàn cơ quan'));
    $('units-note').textContent = board.units.length === 0
      ? 'Không đơn vị nào đang có hồ sơ mở.'
      : board.units_cut ? 'Chỉ hiện một phần các đơn vị.' : '';
  }

  function renderOverdue(board) {
    const body = $('overdue').tBodies[0];
    const rows = board.overdue.map((entry) => {
      const row = document.createElement('tr');
      row.dataset.item = entry.item;
      row.dataset.kind = entry.kind;
      cell(row, 'item', entry.item, entry.item);
      cell(row, 'unit', entry.unit, entry.unit);
      cell(row, 'kind', entry.kind, KIND_WORDS[entry.kind] || entry.kind);
      cell(row, 'node', entry.node, entry.node);
      cell(row, 'holder', entry.holder, entry.holder);
      cell(row, 'due', entry.due.at, entry.due.local.replace('T', ' ').slice(0, 16));
      cell(row, 'working_days', entry.working_days,
           entry.working_days.toLocaleString('vi-VN', { maximumFractionDigits: 1 })).classList.add('bad');
      return row;
    });
    if (rows.length === 0) {
      const row = document.createElement('tr');
      const empty = cell(row, 'none', null, 'Không có hồ sơ quá hạn.');
      empty.colSpan = 7;
      rows.push(row);
    }
    body.replaceChildren(...rows);
  }

  function chart(name, canvas, config) {
    if (state.charts[name]) {
      state.charts[name].data = config.data;
      state.charts[name].update('none');
    } else {
      state.charts[name] = new window.Chart($(canvas), config);
    }
  }

  function renderCharts(board) {
    if (typeof window.Chart !== 'function') {
      $('charts-note').hidden = false;
      return;
    }
    const rows = [Object.assign({}, board.total, { unit: 'Toàn cơ quan' })].concat(board.units);
    chart('weekly', 'chart-weekly', {
      type: 'line',
      data: {
        labels: board.weeks.map((week) => 'Tuần ' + day(week.from).slice(0, 5)),
        datasets: rows.map((unit, i) => ({
          label: unit.unit, data: unit.weekly, spanGaps: true, borderWidth: i === 0 ? 3 : 1.5,
          pointRadius: 4, clip: false,
          borderColor: COLOURS[i % COLOURS.length], backgroundColor: COLOURS[i % COLOURS.length],
        })),
      },
      options: {
        animation: false, maintainAspectRatio: false, layout: { padding: { top: 8 } },
        scales: { y: { min: 0, max: 100, ticks: { callback: (value) => value + ' %' } } },
      },
    });
    const units = [...new Set(board.bands.flatMap((band) => Object.keys(band.units)))].sort();
    chart('bands', 'chart-bands', {
      type: 'bar',
      data: {
        labels: board.bands.map((band) => band.label),
        datasets: units.map((unit, i) => ({
          label: unit, data: board.bands.map((band) => band.units[unit] || 0),
          backgroundColor: COLOURS[(i + 1) % COLOURS.length],
        })),
      },
      options: {
        animation: false, maintainAspectRatio: false,
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  }

  function render(board) {
    $('staff').textContent = board.staff;
    $('period-shown').textContent = 'Kỳ: ' + day(board.from) + ' – ' + day(board.to);
    $('updated').textContent = 'Số liệu lúc ' + board.now.local.replace('T', ' ').slice(0, 19);
    renderUnits(board);
    renderOverdue(board);
    renderCharts(board);
    state.renders += 1;
    document.body.dataset.renders = String(state.renders);
  }

  function period() {
    const from = $('from').value;
    const to = $('to').value;
    return from && to ? '?' + new URLSearchParams({ from, to }).toString() : '';
  }

  // Fetch and show the figures; answers out of order are dropped. True
  // while signed in.
  async function refresh() {
    const asked = ++state.asked;
    let response;
    let board;
    try {
      response = await fetch('/api/dashboard' + period(), { credentials: 'same-origin', cache: 'no-store' });
      board = await response.json();
    } catch (error) {
      showError('Không lấy được số liệu (máy chủ không trả lời): ' + error.message);
      return true;
    }
    if (response.status === 401) {
      signedOut();
      return false;
    }
    if (asked < state.shown) return true;
    if (!response.ok) {
      showError('Không lấy được số liệu: ' + (board.message || 'HTTP ' + response.status));
      return true;
    }
    state.shown = asked;
    showError(null);
    render(board);
    return true;
  }

  function onEvent() {
    soon('soon', SOON_MS, refresh);
    later('settle', SETTLE_MS, refresh);
  }

  // Follow /events. Each open, the first and every reconnection, is
  // followed by a refresh: that is how the page catches up with what
  // happened while it was cut off.
  function connect() {
    if (state.source) state.source.close();
    setLive('connecting');
    const source = new EventSource('/events');
    state.source = source;
    source.onopen = () => {
      setLive('live');
      refresh();
    };
    source.onerror = () => {
      setLive('lost');
      // CLOSED: the browser gave up (an answer that was not a stream).
      if (source.readyState === EventSource.CLOSED) {
        later('reconnect', RECONNECT_MS, async () => {
          if (state.source === source && await refresh()) connect();
        });
      }
    };
    source.onmessage = onEvent;
    for (const name of ['gap', 'reset', 'snapshot-needed']) source.addEventListener(name, onEvent);
  }

  function signedOut() {
    if (state.source) state.source.close();
    state.source = null;
    setLive('lost');
    $('board').hidden = true;
    $('signout').hidden = true;
    $('signin').hidden = false;
    $('token').focus();
  }

  async function start() {
    if (await refresh()) {
      $('signin').hidden = true;
      $('board').hidden = false;
      $('signout').hidden = false;
      connect();
    }
  }

  async function signIn(event) {
    event.preventDefault();
    const words = $('signin-error');
    words.textContent = '';
    let response;
    try {
      response = await fetch('/api/session', {
        method: 'POST', credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ token: $('token').value.trim() }),
      });
    } catch (error) {
      words.textContent = 'Máy chủ không trả lời: ' + error.message;
      return;
    }
    if (response.status === 429) {
      words.textContent = 'Thử lại sau một giây.';
      return;
    }
    if (!response.ok) {
      words.textContent = 'Mã đăng nhập không đúng hoặc đã hết hạn.';
      return;
    }
    $('token').value = '';
    start();
  }

  async function signOut() {
    try {
      await fetch('/api/session', { method: 'DELETE', credentials: 'same-origin' });
    } finally {
      signedOut();
    }
  }

  function thisMonth() {
    $('from').value = '';
    $('to').value = '';
    refresh();
  }

  $('signin').addEventListener('submit', signIn);
  $('signout').addEventListener('click', signOut);
  $('period').addEventListener('submit', (event) => {
    event.preventDefault();
    refresh();
  });
  $('this-month').addEventListener('click', thisMonth);
  start();
}());

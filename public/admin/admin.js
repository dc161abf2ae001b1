// The admin page: plain browser JavaScript against the admin API (contract §5), no build step and no outside assets.
// The token lives in sessionStorage (gone with the tab); the device id in localStorage (stable per browser).
(() => {
  'use strict';

  const $ = (selector) => document.querySelector(selector);
  const state = { token: sessionStorage.getItem('qr-admin-token'), filters: {}, nextCursor: null, socket: null, openSession: null };

  function deviceId() {
    let id = localStorage.getItem('qr-admin-device-id');
    if (!id) {
      id = `admin-web-${crypto.getRandomValues(new Uint32Array(2)).join('')}`;
      localStorage.setItem('qr-admin-device-id', id);
    }
    return id;
  }

  function notice(text) {
    $('#notice').textContent = text;
  }

  class ApiError extends Error {
    constructor(body, status) {
      super(body.message || `HTTP ${status}`);
      this.code = body.code;
    }
  }

  async function api(path, options = {}) {
    const headers = { 'X-Device-Id': deviceId(), ...(options.body ? { 'Content-Type': 'application/json' } : {}) };
    if (state.token) headers.Authorization = `Bearer ${state.token}`;
    const response = await fetch(path, { ...options, headers });
    const body = response.status === 204 ? null : await response.json().catch(() => ({}));
    if (!response.ok) {
      if (['unauthorized', 'token_revoked', 'device_mismatch'].includes(body.code)) signOut('Your admin session ended; sign in again.');
      throw new ApiError(body, response.status);
    }
    return body;
  }

  /** Text nodes only: nothing from the server is ever parsed as HTML. */
  function el(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes)) {
      if (key === 'class') node.className = value;
      else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value);
    }
    for (const child of children) if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
    return node;
  }

  const time = (iso) => (iso ? new Date(iso).toLocaleString() : '—');

  // ---- sign in / out -------------------------------------------------------------------------------------------
  $('#sign-in-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    try {
      const login = await api('/api/auth/login', {
        method: 'POST',
        body: JSON.stringify({
          username: form.get('username'),
          password: form.get('password'),
          device: { id: deviceId(), type: 'web', name: 'Admin page' },
        }),
      });
      state.token = login.accessToken;
      sessionStorage.setItem('qr-admin-token', login.accessToken);
      sessionStorage.setItem('qr-admin-name', login.account.displayName);
      await start();
    } catch (error) {
      notice(error.code === 'invalid_credentials' ? 'Wrong username or password.' : `Sign-in failed: ${error.message}`);
    }
  });

  $('#sign-out').addEventListener('click', async () => {
    await api('/api/auth/logout', { method: 'POST' }).catch(() => undefined);
    signOut('Signed out.');
  });

  function signOut(message) {
    state.token = null;
    sessionStorage.removeItem('qr-admin-token');
    state.socket?.close();
    for (const id of ['#sessions', '#accounts', '#timeline', '#devices', '#sign-out', '#whoami']) $(id).hidden = true;
    $('#sign-in').hidden = false;
    notice(message);
  }

  async function start() {
    try {
      await loadSessions(true);
    } catch (error) {
      if (error.code === 'forbidden') return signOut('This account is not an admin.');
      throw error;
    }
    $('#sign-in').hidden = true;
    $('#sessions').hidden = false;
    $('#accounts').hidden = false;
    $('#sign-out').hidden = false;
    $('#whoami').hidden = false;
    $('#whoami').textContent = `Signed in as ${sessionStorage.getItem('qr-admin-name') ?? 'admin'}`;
    notice('');
    connectLive();
  }

  // ---- session list ----------------------------------------------------------------------------------------------
  $('#filters').addEventListener('submit', (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const toIso = (value) => (value ? new Date(value).toISOString() : undefined);
    state.filters = {
      status: form.get('status') || undefined,
      accountId: form.get('accountId').trim() || undefined,
      from: toIso(form.get('from')),
      to: toIso(form.get('to')),
    };
    loadSessions(true).catch((error) => notice(`Could not load sessions: ${error.message}`));
  });

  $('#more').addEventListener('click', () => loadSessions(false).catch((error) => notice(error.message)));

  async function loadSessions(fromTop, limit = 25) {
    const query = new URLSearchParams({ limit: String(limit) });
    for (const [key, value] of Object.entries(state.filters)) if (value) query.set(key, value);
    if (!fromTop && state.nextCursor) query.set('cursor', state.nextCursor);
    const page = await api(`/api/admin/qr-sessions?${query}`);
    const rows = $('#session-rows');
    const known = new Set([...rows.querySelectorAll('tr')].map((row) => row.dataset.id));
    if (fromTop) rows.replaceChildren();
    for (const session of page.items) rows.append(sessionRow(session, fromTop && known.size > 0 && !known.has(session.id)));
    state.nextCursor = page.nextCursor ?? null;
    $('#more').hidden = !state.nextCursor;
    if (page.items.length === 0 && fromTop) rows.append(el('tr', {}, el('td', { colspan: '6', class: 'muted' }, 'No sessions match.')));
  }

  function sessionRow(session, fresh) {
    const account = session.account
      ? el('button', { type: 'button', class: 'link', onclick: () => guard(showDevices(session.account)) }, session.account.displayName, ' ', el('span', { class: 'muted' }, `@${session.account.username}`))
      : el('span', { class: 'muted' }, '—');
    return el(
      'tr',
      { 'data-id': session.id, 'data-status': session.status, class: fresh ? 'fresh' : '' },
      el('td', {}, time(session.createdAt)),
      el('td', { class: `status status-${session.status}` }, session.status),
      el('td', {}, account),
      el('td', {}, session.phone ? `${session.phone.type} · ${session.phone.name ?? session.phone.deviceId}` : '—'),
      el('td', {}, `${session.desktop.type} · ${session.desktop.ip ?? '?'}`, el('div', { class: 'muted' }, session.desktop.userAgent ?? '')),
      el('td', {}, el('button', { type: 'button', class: 'link', onclick: () => guard(showTimeline(session.id)), 'aria-label': `Timeline of session ${session.id}` }, 'Timeline')),
    );
  }

  // ---- accounts --------------------------------------------------------------------------------------------------
  $('#account-search').addEventListener('submit', (event) => {
    event.preventDefault();
    const query = new FormData(event.target).get('query').trim();
    findAccounts(query).catch((error) => notice(`Could not search accounts: ${error.message}`));
  });

  async function findAccounts(query) {
    const { items } = await api(`/api/admin/accounts${query ? `?query=${encodeURIComponent(query)}` : ''}`);
    $('#account-list').replaceChildren(
      ...items.map((account) =>
        el(
          'li',
          { 'data-account-id': account.id },
          el('strong', {}, account.displayName), ' ', el('span', { class: 'muted' }, `@${account.username} · ${account.id}`), ' ',
          el('button', { type: 'button', class: 'link', onclick: () => guard(showDevices(account)) }, 'Devices'), ' ',
          el('button', { type: 'button', class: 'link', onclick: () => guard(filterByAccount(account)) }, 'Sessions'),
        ),
      ),
    );
    if (items.length === 0) $('#account-list').append(el('li', { class: 'muted' }, 'No account matches.'));
  }

  async function filterByAccount(account) {
    $('#filters').elements.accountId.value = account.id;
    state.filters = { ...state.filters, accountId: account.id };
    await loadSessions(true);
  }

  /** Every click handler's failure ends up in the notice region, read out by screen readers. */
  function guard(promise) {
    promise.catch((error) => notice(`That did not work: ${error.message}${error.code ? ` (${error.code})` : ''}`));
  }

  // ---- timeline ---------------------------------------------------------------------------------------------------
  async function showTimeline(id) {
    const session = await api(`/api/admin/qr-sessions/${encodeURIComponent(id)}`);
    state.openSession = id;
    $('#timeline').hidden = false;
    $('#timeline-title').textContent = `Timeline of ${session.id}`;
    $('#timeline-summary').replaceChildren(
      el('dt', {}, 'Status'), el('dd', { class: `status status-${session.status}` }, session.status),
      el('dt', {}, 'Desktop'), el('dd', {}, `${session.desktop.type} ${session.desktop.name ?? ''} (${session.desktop.deviceId})`),
      el('dt', {}, 'Expires'), el('dd', {}, time(session.expiresAt)),
    );
    $('#timeline-events').replaceChildren(
      ...session.events.map((event) =>
        el(
          'li',
          { 'data-type': event.type },
          el('strong', {}, event.type), ' ', time(event.at),
          el('div', { class: 'muted' }, [event.ip, event.userAgent, event.deviceId && `device ${event.deviceId}`].filter(Boolean).join(' · ')),
        ),
      ),
    );
    $('#timeline-title').focus();
  }

  // ---- devices ---------------------------------------------------------------------------------------------------
  async function showDevices(account) {
    const { items } = await api(`/api/admin/devices?accountId=${encodeURIComponent(account.id)}`);
    $('#devices').hidden = false;
    $('#devices-title').textContent = `Devices of ${account.displayName}`;
    $('#devices-title').focus();
    $('#device-list').replaceChildren(
      ...items.map((device) => {
        const active = device.tokens.filter((token) => token.state === 'active').length;
        return el(
          'li',
          { 'data-device-id': device.id },
          el('strong', {}, `${device.type} · ${device.name ?? device.id}`),
          el('div', { class: 'muted' }, `last seen ${time(device.lastSeenAt)} · ${active} active token(s) of ${device.tokens.length}`),
          active > 0
            ? el('button', { type: 'button', class: 'danger', onclick: () => guard(revoke(account, device)), 'aria-label': `Revoke ${device.name ?? device.id}` }, 'Revoke')
            : el('span', { class: 'muted' }, device.signedOutAt ? `signed out ${time(device.signedOutAt)}` : 'no active token'),
        );
      }),
    );
  }

  async function revoke(account, device) {
    if (!window.confirm(`Sign ${device.name ?? device.id} of ${account.displayName} out? Its tokens stop working at once.`)) return;
    const result = await api(`/api/admin/devices/${encodeURIComponent(account.id)}/${encodeURIComponent(device.id)}/revoke`, { method: 'POST' });
    notice(`Revoked ${result.revokedTokens} token(s) of ${device.name ?? device.id}.`);
    await showDevices(account);
  }

  // ---- live updates ----------------------------------------------------------------------------------------------
  function connectLive() {
    if (typeof io !== 'function') return;
    state.socket?.close();
    const socket = io('/admin', { auth: { accessToken: state.token, deviceId: deviceId() } });
    state.socket = socket;
    const live = $('#live');
    socket.on('connect', () => {
      live.classList.add('on');
      $('#live-text').textContent = 'live updates on';
    });
    socket.on('disconnect', () => {
      live.classList.remove('on');
      $('#live-text').textContent = 'live updates off';
    });
    let pending;
    socket.on('qr_session', (change) => {
      // Coalesce bursts into one reload of the first page; keep the open timeline current.
      clearTimeout(pending);
      // As many rows as are on screen, so that pages loaded with "Load more" stay.
      const shown = $('#session-rows').querySelectorAll('tr[data-id]').length;
      pending = setTimeout(() => loadSessions(true, Math.min(200, Math.max(25, shown))).catch(() => undefined), 250);
      if (change.id === state.openSession) showTimeline(change.id).catch(() => undefined);
    });
  }

  if (state.token) start().catch(() => signOut(''));
})();

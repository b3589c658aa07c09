/**
 * The chat page's script: plain browser JavaScript, served as is (no build
 * step). Every text is put in the page with textContent, never as HTML.
 */
export const chatScript = `(function () {
  'use strict';
  var KEY = 'touchpoint.webchat.session';
  var POLL_MS = 3000;
  var body = document.body;
  var welcome = body.getAttribute('data-welcome') || '';
  var maxLength = Number(body.getAttribute('data-max-length')) || 2000;
  var logEl = document.getElementById('log');
  var form = document.getElementById('composer');
  var input = document.getElementById('text');
  var sendButton = document.getElementById('send');
  var statusEl = document.getElementById('status');
  var errorEl = document.getElementById('error');
  var closeButton = document.getElementById('close');
  var fileInput = document.getElementById('file');

  var session = null;
  var messages = new Map();
  var pending = new Map();
  var lastId = null;
  var source = null;
  var pollTimer = null;
  var clientSeq = 0;

  // Open or closed by the business calendar, shown in the header while connected.
  var availability = { open: true, nextOpening: null };
  function hoursText() {
    if (availability.open) return 'Open now · we usually answer straight away';
    return 'Closed' + (availability.nextOpening ? ' · we open again ' + availability.nextOpening : '');
  }
  function setStatus(text) { statusEl.textContent = text; }
  function loadAvailability() {
    return request('GET', 'webchat/availability').then(function (a) {
      if (a && typeof a.open === 'boolean') availability = a;
      if (source && source.readyState === 1) setStatus(hoursText());
      render();
    }).catch(function () { /* the header keeps the connection state */ });
  }
  function showError(text) { errorEl.textContent = text; errorEl.hidden = false; }
  function clearError() { errorEl.hidden = true; errorEl.textContent = ''; }

  function readSession() {
    try {
      var s = JSON.parse(localStorage.getItem(KEY) || 'null');
      return s && typeof s.token === 'string' && typeof s.visitorId === 'string' ? s : null;
    } catch (e) { return null; }
  }
  function keepSession(s) {
    try { localStorage.setItem(KEY, JSON.stringify(s)); } catch (e) { /* private mode: the session lasts this page only */ }
  }

  function request(method, path, payload) {
    var headers = { 'x-visitor-token': session ? session.token : '' };
    if (payload !== undefined) headers['content-type'] = 'application/json';
    return fetch(path, { method: method, headers: headers, body: payload === undefined ? undefined : JSON.stringify(payload) })
      .then(function (res) {
        return res.json().catch(function () { return null; }).then(function (data) {
          if (res.ok) return data;
          var err = new Error((data && data.reason) || ('The server answered ' + res.status));
          err.status = res.status;
          throw err;
        });
      });
  }

  function newSession() {
    return request('POST', 'webchat/session').then(function (s) {
      session = s;
      keepSession(s);
      messages.clear();
      lastId = null;
      render();
    });
  }

  function timeOf(at) {
    try { return new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }); } catch (e) { return ''; }
  }

  function bubble(kind, text, meta, extraClass) {
    var li = document.createElement('li');
    li.className = 'msg ' + kind + (extraClass ? ' ' + extraClass : '');
    var b = document.createElement('div');
    b.className = 'bubble';
    b.textContent = text;
    li.appendChild(b);
    if (meta) {
      var m = document.createElement('div');
      m.className = 'meta';
      m.textContent = meta;
      li.appendChild(m);
    }
    return li;
  }

  function render() {
    var nearBottom = logEl.scrollHeight - logEl.scrollTop - logEl.clientHeight < 80;
    var items = [];
    if (welcome) items.push(bubble('bot', welcome, ''));
    else if (messages.size === 0 && pending.size === 0) items.push(bubble('hint', availability.open ? 'Send us a message: we usually answer straight away.' : 'We are closed right now' + (availability.nextOpening ? ' and open again ' + availability.nextOpening : '') + '. Send us a message: some questions are answered straight away, the rest when we open.', ''));
    var sorted = Array.from(messages.values()).sort(function (a, b) { return a.id < b.id ? -1 : a.id > b.id ? 1 : 0; });
    sorted.forEach(function (m, i) {
      var who = m.from === 'customer' ? 'You' : (m.name || (m.from === 'agent' ? 'Team' : ''));
      var li = bubble(m.from, m.text, [who, timeOf(m.at)].filter(Boolean).join(' · '));
      if (Array.isArray(m.files) && m.files.length > 0) li.firstChild.appendChild(fileList(m.files));
      // A choice question's options, as buttons under the latest message only: an answered one keeps its text.
      if (Array.isArray(m.choices) && i === sorted.length - 1 && pending.size === 0) li.appendChild(choiceButtons(m.choices));
      items.push(li);
    });
    pending.forEach(function (p) {
      var li = bubble('customer', p.text, p.failed ? 'Not sent. Tap to try again.' : 'Sending…', p.failed ? 'failed' : 'pending');
      if (p.failed) li.addEventListener('click', function () { deliver(p); });
      items.push(li);
    });
    logEl.replaceChildren.apply(logEl, items);
    if (nearBottom || items.length < 3) logEl.scrollTop = logEl.scrollHeight;
  }

  function add(view) {
    if (!view || typeof view.id !== 'string') return;
    messages.set(view.id, view);
    if (view.clientId) pending.delete(view.clientId);
    if (lastId === null || view.id > lastId) lastId = view.id;
    render();
  }

  function loadHistory() {
    var page = function (round) {
      var path = 'webchat/messages' + (lastId ? '?after=' + encodeURIComponent(lastId) : '');
      return request('GET', path).then(function (data) {
        if (data.language) document.documentElement.lang = data.language;
        data.messages.forEach(add);
        if (data.more && round < 20) return page(round + 1);
      });
    };
    return page(0);
  }

  function startPolling() {
    if (pollTimer) return;
    pollTimer = setInterval(function () {
      loadHistory().then(function () {
        if (!source || source.readyState !== 1) setStatus(hoursText() + ' (checking every few seconds)');
        clearError();
      }).catch(onFailure);
    }, POLL_MS);
  }
  function stopPolling() {
    if (pollTimer) clearInterval(pollTimer);
    pollTimer = null;
  }

  function listen() {
    if (source) source.close();
    if (typeof EventSource !== 'function') { startPolling(); setStatus(hoursText()); return; }
    var url = 'webchat/events?token=' + encodeURIComponent(session.token) + (lastId ? '&after=' + encodeURIComponent(lastId) : '');
    source = new EventSource(url);
    source.onopen = function () { stopPolling(); clearError(); setStatus(hoursText()); };
    source.onmessage = function (e) {
      try { add(JSON.parse(e.data)); } catch (err) { /* a malformed event is skipped */ }
    };
    source.onerror = function () { setStatus('Reconnecting…'); startPolling(); };
  }

  function onFailure(err) {
    if (err && err.status === 401) {
      showError('Your chat session expired; starting a new one.');
      return newSession().then(listen).catch(onFailure);
    }
    showError(navigator.onLine === false ? 'You are offline. We will retry when you are back.' : (err && err.message) || 'Something went wrong.');
  }

  function deliver(p) {
    p.failed = false;
    render();
    request('POST', 'webchat/messages', { text: p.text, clientId: p.clientId }).then(function () {
      clearError();
      // The message itself arrives through the event stream or the next poll.
      if (!source || source.readyState !== 1) return loadHistory();
    }).catch(function (err) {
      p.failed = true;
      render();
      if (err && err.status === 401) return onFailure(err);
      showError('Your message was not sent: ' + err.message);
    });
  }

  // A kept photo shows as an image, a PDF as a link; a file that was not kept says why.
  function fileList(files) {
    var box = document.createElement('div');
    box.className = 'files';
    files.forEach(function (f) {
      var el;
      if (!f.url) {
        el = document.createElement('span');
        el.className = 'file refused';
        el.textContent = f.name + ': ' + (f.error || 'not available');
      } else if (f.contentType.indexOf('image/') === 0) {
        el = document.createElement('img');
        el.className = 'file';
        el.src = f.url;
        el.alt = f.name;
      } else {
        el = document.createElement('a');
        el.className = 'file';
        el.href = f.url;
        el.target = '_blank';
        el.rel = 'noopener';
        el.textContent = f.name;
      }
      box.appendChild(el);
    });
    return box;
  }

  function sendFile(file) {
    clientSeq += 1;
    var clientId = Date.now().toString(36) + '-' + clientSeq + '-' + Math.random().toString(36).slice(2, 8);
    var p = { clientId: clientId, text: file.name, failed: false };
    pending.set(clientId, p);
    render();
    var path = 'webchat/files?clientId=' + encodeURIComponent(clientId) + '&name=' + encodeURIComponent(file.name);
    fetch(path, { method: 'POST', headers: { 'x-visitor-token': session ? session.token : '', 'content-type': 'application/octet-stream' }, body: file })
      .then(function (res) {
        return res.json().catch(function () { return null; }).then(function (data) {
          if (res.ok) return data;
          var err = new Error((data && data.reason) || ('The server answered ' + res.status));
          err.status = res.status;
          throw err;
        });
      })
      .then(function () {
        clearError();
        if (!source || source.readyState !== 1) return loadHistory();
      })
      .catch(function (err) {
        // A refused file is not retried: the reason says what to send instead.
        pending.delete(clientId);
        render();
        if (err && err.status === 401) return onFailure(err);
        showError('Your file was not sent: ' + err.message);
      });
  }

  function choiceButtons(choices) {
    var row = document.createElement('div');
    row.className = 'choices';
    row.setAttribute('role', 'group');
    choices.forEach(function (c) {
      var b = document.createElement('button');
      b.type = 'button';
      b.className = 'choice';
      b.textContent = c.label;
      b.addEventListener('click', function () { sendText(c.label); });
      row.appendChild(b);
    });
    return row;
  }

  function send() {
    var text = input.value.trim();
    if (!text) return;
    if (text.length > maxLength) { showError('Messages can be at most ' + maxLength + ' characters.'); return; }
    input.value = '';
    resize();
    sendText(text);
  }

  function sendText(text) {
    clientSeq += 1;
    var clientId = Date.now().toString(36) + '-' + clientSeq + '-' + Math.random().toString(36).slice(2, 8);
    var p = { clientId: clientId, text: text, failed: false };
    pending.set(clientId, p);
    deliver(p);
  }

  function resize() {
    input.style.height = 'auto';
    input.style.height = Math.min(input.scrollHeight, 140) + 'px';
    sendButton.disabled = input.value.trim() === '';
  }

  form.addEventListener('submit', function (e) { e.preventDefault(); send(); });
  input.addEventListener('keydown', function (e) {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); send(); }
  });
  input.addEventListener('input', resize);
  if (fileInput) fileInput.addEventListener('change', function () {
    var f = fileInput.files && fileInput.files[0];
    fileInput.value = '';
    if (f) sendFile(f);
  });
  if (closeButton) closeButton.addEventListener('click', function () { window.parent.postMessage({ type: 'touchpoint:close' }, '*'); });
  // Keyboard users close the embedded chat with Escape from anywhere inside it, as from the host page.
  if (closeButton) document.addEventListener('keydown', function (e) {
    if (e.key === 'Escape') window.parent.postMessage({ type: 'touchpoint:close' }, '*');
  });
  window.addEventListener('online', function () { loadHistory().then(clearError).catch(onFailure); });

  render();
  session = readSession();
  (session ? Promise.resolve() : newSession())
    .then(loadHistory)
    .catch(function (err) {
      if (err && err.status === 401) return newSession().then(loadHistory);
      throw err;
    })
    .then(function () {
      input.disabled = false;
      if (fileInput) fileInput.disabled = false;
      input.focus();
      resize();
      listen();
      loadAvailability();
    })
    .catch(function (err) {
      setStatus('Offline');
      onFailure(err);
      input.disabled = false;
      startPolling();
    });
})();
`;

// The connection page's behaviour: poll the status, show (and renew) the QR code while
// WhatsApp is not logged in, pairing codes, logout and reconnect. Talks only to the
// management API (through WawebPage.request, which sends the page's token).
(function () {
  "use strict";
  var page = window.WawebPage;
  var config = page.config;
  var t = page.strings;
  var $ = page.$;
  var format = page.format;
  var state = { loggedIn: null, qrTimer: null, qrDeadline: 0, qrLoading: false, pollTimer: null };

  function api(method, path, body) { return page.request(method, config.apiBase + "/" + path, body); }

  function showError(message) {
    var box = $("error");
    if (!message) { box.hidden = true; box.textContent = ""; return; }
    box.textContent = t.error_prefix + " " + message;
    box.hidden = false;
  }

  function setStatus(kind, text, device) {
    $("status-dot").className = "dot " + kind;
    $("status-text").textContent = text;
    $("status-device").textContent = device || "—";
    document.body.setAttribute("data-status", kind === "ok" ? "logged_in" : (kind === "bad" ? "error" : "logged_out"));
  }

  function poll() {
    return api("GET", "status").then(function (status) {
      showError(null);
      showImport(status.import);
      if (status.logged_in) {
        setStatus("ok", t.status_logged_in, status.device_id);
      } else {
        setStatus("wait", t.status_not_logged_in, status.device_id);
      }
      if (state.loggedIn !== status.logged_in) {
        state.loggedIn = status.logged_in;
        status.logged_in ? stopQr() : loadQr();
      } else if (!status.logged_in && !state.qrTimer && !state.qrLoading) {
        loadQr();
      }
    }).catch(function (error) {
      setStatus("bad", t.status_unreachable, null);
      showError(error.message);
      state.loggedIn = null;
      stopQr();
    });
  }

  function stopQr() {
    clearInterval(state.qrTimer);
    state.qrTimer = null;
    $("qr").hidden = true;
    $("qr").removeAttribute("src");
    $("qr-countdown").textContent = state.loggedIn ? t.qr_done : "";
  }

  function loadQr() {
    if (state.qrLoading) { return; }
    state.qrLoading = true;
    clearInterval(state.qrTimer);
    state.qrTimer = null;
    $("qr-countdown").textContent = t.qr_refreshing;
    api("POST", "login").then(function (qr) {
      state.qrLoading = false;
      if (state.loggedIn) { return; }
      var img = $("qr");
      img.src = qr.data_url;
      img.hidden = false;
      img.setAttribute("data-generation", String(Number(img.getAttribute("data-generation") || 0) + 1));
      state.qrDeadline = Date.now() + Math.max(1, qr.expires_in || 20) * 1000;
      tick();
      state.qrTimer = setInterval(tick, 250);
    }).catch(function (error) {
      state.qrLoading = false;
      if (error.kind === "already_logged_in") { poll(); return; }
      $("qr-countdown").textContent = "";
      showError(error.message);
    });
  }

  function tick() {
    var left = Math.ceil((state.qrDeadline - Date.now()) / 1000);
    if (left <= 0) { loadQr(); return; }
    $("qr-countdown").textContent = format(t.qr_expires_in, { seconds: left });
  }

  $("code-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var button = $("code-button");
    button.disabled = true;
    api("POST", "login_with_code", { phone: $("code-phone").value }).then(function (result) {
      showError(null);
      var box = $("code-result");
      box.textContent = format(t.code_result, { code: result.pair_code });
      box.setAttribute("data-code", result.pair_code);
      box.hidden = false;
    }).catch(function (error) { showError(error.message); })
      .then(function () { button.disabled = false; });
  });

  function action(path, confirmText) {
    return function () {
      if (confirmText && !window.confirm(confirmText)) { return; }
      $("action-result").textContent = "";
      api("POST", path).then(function () {
        $("action-result").textContent = t.done;
        return poll();
      }).catch(function (error) { showError(error.message); });
    };
  }
  $("logout-button").addEventListener("click", action("logout", t.logout_confirm));
  $("reconnect-button").addEventListener("click", action("reconnect", null));

  // History import: start one, and show its progress from the status answer's `import`.
  function showImport(progress) {
    var line = $("import-status");
    if (!progress) { line.textContent = t.import_none; line.removeAttribute("data-state"); return; }
    line.setAttribute("data-state", progress.state);
    line.textContent = format(t["import_" + progress.state] || t.import_running, {
      chats_done: progress.chats_done, chats_total: progress.chats_total == null ? "?" : progress.chats_total,
      messages: progress.messages, error: progress.error || ""
    });
  }
  $("import-form").addEventListener("submit", function (event) {
    event.preventDefault();
    api("POST", "import", { days: Number($("import-days").value) }).then(function (result) {
      showError(null);
      showImport(result.import);
    }).catch(function (error) { showError(error.message); });
  });
  poll();
  state.pollTimer = setInterval(poll, config.pollMs);
})();

// A Chatwoot Dashboard App (Settings > Integrations > Dashboard apps) shown beside every
// conversation, to every agent. It holds nothing secret: it asks the dashboard which
// inbox the conversation is in, and uses only the viewer's own Chatwoot session (the
// dashboard's cookie, readable because the page is on Chatwoot's own origin). The server
// decides: an administrator of the account gets the inbox's status and a button opening
// the connection page with their own access token; anyone else is refused by the API.
// Every word comes from the page's strings: first in the browser's language (the server
// picked it from Accept-Language), then, once the viewer is known, in the language their
// Chatwoot speaks when it is one of ours.
(function () {
  "use strict";
  var page = window.WawebPage;
  var t = page.strings;
  var languages = page.config.languages;
  var $ = page.$;
  var format = page.format;
  var root = location.pathname.replace(/\/whatsapp_web\/dashboard_app$/, "");

  // Chatwoot's locale codes ("pt_BR", "pt", "en"...) to ours, as the server maps Accept-Language.
  function ours(locale) {
    var code = String(locale || "").toLowerCase();
    if (code.indexOf("pt") === 0) return "pt-BR";
    if (code.indexOf("en") === 0) return "en";
    return null;
  }

  function speak(locale) {
    if (!locale || !languages[locale]) return;
    t = languages[locale];
    document.documentElement.lang = t.lang;
    $("open").textContent = t.open_connection;
  }

  function state(name, text, dot) {
    document.body.setAttribute("data-state", name);
    $("status-text").textContent = text;
    $("dot").className = "dot " + (dot || "");
  }

  function refuse(name, text) {
    state(name, text);
    $("open").hidden = true;
  }

  // devise_token_auth's headers, as the dashboard keeps them after signing in.
  function session() {
    var cookie = document.cookie.split("; ").filter(function (c) { return c.indexOf("cw_d_session_info=") === 0; })[0];
    if (!cookie) return null;
    try {
      var info = JSON.parse(decodeURIComponent(cookie.slice("cw_d_session_info=".length)));
      var headers = {};
      ["access-token", "client", "uid", "token-type", "expiry"].forEach(function (k) {
        if (info[k]) headers[k] = String(info[k]);
      });
      return headers["access-token"] && headers.uid ? headers : null;
    } catch (e) {
      return null;
    }
  }

  // Resolves to { status, json } for any answer; rejects with the page's network_error
  // sentence when nothing answered (the browser's own message is in its language, not ours).
  function getJSON(path, headers) {
    headers.Accept = "application/json";
    return fetch(root + path, { headers: headers, credentials: "same-origin" }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (json) { return { status: r.status, json: json }; });
    }, function () { throw new Error(t.network_error); });
  }

  // The language the viewer's dashboard speaks, as Chatwoot picks it (App.vue): their own
  // ui_settings.locale, else the account's locale; null when unknown.
  function chatwootLocale(profile, accountId, token) {
    var own = profile.ui_settings && profile.ui_settings.locale;
    if (own) return Promise.resolve(own);
    return getJSON("/api/v1/accounts/" + accountId, { "api_access_token": token }).then(function (answer) {
      return answer.status === 200 ? answer.json.locale : null;
    }, function () { return null; });
  }

  function check(accountId, inboxId) {
    var auth = session();
    if (!auth) return refuse("no_session", t.no_session);
    getJSON("/api/v1/profile", auth).then(function (profile) {
      if (profile.status !== 200 || !profile.json.access_token) return refuse("no_session", t.no_session);
      var token = profile.json.access_token;
      var base = "/api/v1/accounts/" + accountId + "/inboxes/" + inboxId + "/whatsapp_web/";
      var status = getJSON(base + "status", { "api_access_token": token });
      return Promise.all([chatwootLocale(profile.json, accountId, token), status]).then(function (both) {
        speak(ours(both[0]));
        var answer = both[1];
        if (answer.status === 403) return refuse("forbidden", t.forbidden);
        if (answer.status === 400 || answer.status === 404) return refuse("not_ours", t.not_ours);
        if (answer.status === 200) {
          var s = answer.json;
          if (s.logged_in) state("logged_in", format(t.logged_in, { device: s.device_id || "" }), "ok");
          else state("logged_out", t.logged_out, "off");
        } else {
          state("gateway_error", format(t.gateway_error, { error: answer.json.error || ("HTTP " + answer.status) }), "off");
        }
        $("open").hidden = false;
        $("open").onclick = function () {
          var url = root + "/whatsapp_web/inboxes/" + inboxId + "/connect?token=" + encodeURIComponent(token);
          window.open(url, "_blank", "noopener,noreferrer");
        };
      });
    }).catch(function (e) { refuse("failed", format(t.failed, { error: e.message })); });
  }

  // The dashboard posts the conversation when the frame loads and on request.
  var checked = null;
  window.addEventListener("message", function (event) {
    if (event.origin !== location.origin || typeof event.data !== "string") return;
    var data;
    try { data = JSON.parse(event.data); } catch (e) { return; }
    var conversation = data && data.event === "appContext" && data.data && data.data.conversation;
    if (!conversation || !conversation.inbox_id || conversation.inbox_id === checked) return;
    checked = conversation.inbox_id;
    check(conversation.account_id, conversation.inbox_id);
  });
  if (window.parent !== window) window.parent.postMessage("chatwoot-dashboard-app:fetch-info", location.origin);
  else refuse("not_ours", t.not_framed);
})();

// The connection page's "Configure the gateway for me": shows whether the gateway's device
// webhook is this inbox's (from the status API) and sets it (configure_gateway), asking
// before replacing a webhook that points elsewhere.
(function () {
  "use strict";
  var page = window.WawebPage;
  var config = page.config;
  var t = page.strings;
  var $ = page.$;

  // {ok, json}: a refusal's answer matters here (its kind, the flags to copy).
  function call(method, path, body) {
    return page.request(method, config.apiBase + "/" + path, body).then(
      function (json) { return { ok: true, json: json }; },
      function (error) {
        if (!error.json) { throw error; }
        return { ok: false, json: error.json };
      });
  }

  function show(text, state) {
    $("configure-state").textContent = text || "";
    $("configure-card").setAttribute("data-configured", state);
  }

  function refresh() {
    return call("GET", "status").then(function (answer) {
      if (answer.ok) { show(answer.json.gateway_configuration, String(answer.json.gateway_configured)); }
    });
  }

  function configure(force) {
    $("configure-button").disabled = true;
    show(t.configure_checking, "busy");
    return call("POST", "configure_gateway", { force: force }).then(function (answer) {
      var body = answer.json;
      if (!answer.ok && body.kind === "webhook_elsewhere" && !force &&
          window.confirm(page.format(t.configure_replace, { url: body.current_url }))) {
        return configure(true);
      }
      show(answer.ok ? t.configure_done + " " + body.message : body.error, answer.ok ? "true" : "false");
      if (body.flags) { $("configure-flags").textContent = body.flags.join(" \\\n  "); $("configure-flags").hidden = false; }
    }).catch(function () { show(t.network_error, "false"); })
      .then(function () { $("configure-button").disabled = false; });
  }

  $("configure-button").addEventListener("click", function () { configure(false); });
  refresh();
})();

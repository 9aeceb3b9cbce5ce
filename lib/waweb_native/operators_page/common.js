// What the operators' pages (setup, connection, Dashboard App) share, as window.WawebPage:
// the page's config, its strings, element lookup, "%{name}" formatting, and JSON calls that
// send the page's token. Loaded before each page's own script.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("waweb-config").textContent);

  // Keep the token out of the address bar and the history once the page has it.
  if (window.history && window.location.search.indexOf("token=") !== -1) {
    var params = new URLSearchParams(window.location.search);
    params.delete("token");
    var rest = params.toString();
    window.history.replaceState(null, "", window.location.pathname + (rest ? "?" + rest : ""));
  }

  function format(template, values) {
    return template.replace(/%\{(\w+)\}/g, function (_, key) { return values[key]; });
  }

  // A JSON call with the page's token: resolves to the answer, rejects with an Error carrying
  // the server's message, kind and whole answer (json), or the page's network_error text
  // when nothing answered.
  function request(method, url, body) {
    var options = { method: method, headers: { "api_access_token": config.token, "Accept": "application/json" } };
    if (body) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(url, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (json) {
        if (!response.ok) {
          var error = new Error(json.error || ("HTTP " + response.status));
          error.kind = json.kind;
          error.json = json;
          throw error;
        }
        return json;
      });
    }, function () { throw new Error(config.strings.network_error); });
  }

  window.WawebPage = {
    config: config,
    strings: config.strings,
    $: function (id) { return document.getElementById(id); },
    format: format,
    request: request
  };
})();

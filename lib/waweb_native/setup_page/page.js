// The setup page: test a gateway configuration, then create the inbox through the setup API
// and open its connection page (calls go through WawebPage.request, which sends the token).
(function () {
  "use strict";
  var page = window.WawebPage;
  var config = page.config;
  var t = page.strings;
  var $ = page.$;
  var format = page.format;

  function api(path, body) { return page.request("POST", config.root + path, body); }

  function accountBase() { return "/api/v1/accounts/" + encodeURIComponent($("account").value) + "/whatsapp_web"; }

  // Every input with data-field, by name (more options can be added to the form without JS).
  function fields() {
    var values = {};
    Array.prototype.forEach.call(document.querySelectorAll("[data-field]"), function (input) {
      values[input.getAttribute("data-field")] = input.type === "checkbox" ? input.checked : input.value.trim();
    });
    return values;
  }

  function showError(error) {
    var box = $("error");
    if (!error) { box.hidden = true; box.textContent = ""; box.removeAttribute("data-kind"); return; }
    box.textContent = t.error_prefix + " " + error.message;
    box.setAttribute("data-kind", error.kind || "");
    box.hidden = false;
  }

  function mark(id, dotId, value, unknownText) {
    $(id).textContent = value === true ? t.yes : (value === false ? t.no : (unknownText || t.unknown));
    $(dotId).className = "dot " + (value === true ? "ok" : (value === false ? "bad" : "wait"));
    $(id).setAttribute("data-value", String(value));
  }

  function busy(on, label) {
    $("test-button").disabled = on;
    $("create-button").disabled = on;
    document.body.setAttribute("data-state", on ? label : "editing");
  }

  $("test-button").addEventListener("click", function () {
    showError(null);
    busy(true, "testing");
    api(accountBase() + "/test", fields()).then(function (result) {
      $("test-card").hidden = false;
      mark("test-reachable", "check-reachable", result.reachable);
      mark("test-credentials", "check-credentials", result.credentials_valid);
      mark("test-logged-in", "check-logged-in", result.logged_in, t.not_logged_in_yet);
      if (result.logged_in === false) { // expected before the QR code is scanned: waiting, not wrong
        $("test-logged-in").textContent = t.not_logged_in_yet;
        $("check-logged-in").className = "dot wait";
      }
      if (result.reachable === false || result.credentials_valid === false) {
        showError({ message: result.error, kind: result.reachable === false ? "unreachable" : "bad_credentials" });
      }
      document.body.setAttribute("data-state", "tested");
      $("test-button").disabled = false;
      $("create-button").disabled = false;
    }).catch(function (error) { busy(false); showError(error); });
  });

  function connectUrl(created) { return created.connect_url + "?token=" + encodeURIComponent(config.token); }

  function finish(created, gateway) {
    var text = t.created + " ";
    $("result-card").hidden = false;
    $("connect-link").href = connectUrl(created);
    $("connect-link").hidden = false;
    if (gateway.configured) {
      $("result-text").textContent = text + t.configured + " " + t.opening;
      document.body.setAttribute("data-state", "created");
      window.location.assign(connectUrl(created));
      return;
    }
    $("result-text").textContent = text + t.left_to_do + " " + (gateway.message || gateway.error);
    if (gateway.flags) {
      $("result-flags").textContent = t.flags_help + "\n" + gateway.flags.join(" \\\n  ");
      $("result-flags").hidden = false;
    }
    document.body.setAttribute("data-state", "created_unconfigured");
  }

  $("setup-form").addEventListener("submit", function (event) {
    event.preventDefault();
    showError(null);
    busy(true, "creating");
    api(accountBase() + "/inboxes", fields()).then(function (created) {
      var gateway = created.gateway || {};
      if (gateway.state === "elsewhere" && window.confirm(format(t.replace_confirm, { url: gateway.current_url }))) {
        var path = "/api/v1/accounts/" + created.account_id + "/inboxes/" + created.inbox_id + "/whatsapp_web/configure_gateway";
        return api(path, { force: true }).then(function (forced) { finish(created, forced); },
                                                function (error) { finish(created, { message: error.message }); });
      }
      finish(created, gateway);
    }).catch(function (error) { busy(false); showError(error); });
  });
})();

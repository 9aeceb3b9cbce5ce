# frozen_string_literal: true

require "json"
require "net/http"

# One HTTP request as the dashboard, an API user or the gateway would send it, for the
# programs that drive a host from outside (spec/dummy/script/demo.rb, rake compat:chatwoot).
module ScriptHttp
  VERBS = { get: Net::HTTP::Get, post: Net::HTTP::Post, patch: Net::HTTP::Patch,
            delete: Net::HTTP::Delete }.freeze

  module_function

  # json: a Hash (generated) or a String (sent as it is); form: fields sent as multipart.
  def request(method, url, json: nil, form: nil, headers: {})
    uri = URI(url)
    req = VERBS.fetch(method).new(uri)
    headers.each { |k, v| req[k] = v }
    if json
      req["Content-Type"] = "application/json"
      req.body = json.is_a?(String) ? json : JSON.generate(json)
    end
    req.set_form(form, "multipart/form-data") if form
    Net::HTTP.start(uri.host, uri.port, read_timeout: 60) { |h| h.request(req) }
  end
end

# frozen_string_literal: true

require "net/http"
require "json"
require "openssl"

module Compat
  module Chatwoot
    # Requests to Chatwoot's Puma in the chroot, as the dashboard, an API user or the
    # gateway would send them.
    module HttpClient
      module_function

      def request(method, url, json: nil, form: nil, headers: {})
        uri = URI(url)
        req = { get: Net::HTTP::Get, post: Net::HTTP::Post, patch: Net::HTTP::Patch,
                delete: Net::HTTP::Delete }.fetch(method).new(uri)
        headers.each { |k, v| req[k] = v }
        if json
          req["Content-Type"] = "application/json"
          req.body = json.is_a?(String) ? json : JSON.generate(json)
        end
        req.set_form(form, "multipart/form-data") if form
        Net::HTTP.start(uri.host, uri.port, read_timeout: 60) { |h| h.request(req) }
      end

      def json(response)
        JSON.parse(response.body)
      rescue JSON::ParserError
        raise StepFailed, "HTTP #{response.code}, not JSON: #{response.body.to_s[0, 200]}"
      end

      # The gateway's signature: HMAC-SHA256 of the raw body (computed here in plain Ruby,
      # independently of the gem's C implementation).
      def signature(secret, body)
        "sha256=#{OpenSSL::HMAC.hexdigest('SHA256', secret, body)}"
      end
    end
  end
end

# frozen_string_literal: true

require "json"
require "openssl"
require_relative "../../../spec/support/script_http"

module Compat
  module Chatwoot
    # Requests to Chatwoot's Puma in the chroot (sent by spec/support/script_http.rb), their
    # JSON answers, and the gateway's signature.
    module HttpClient
      module_function

      def request(method, url, json: nil, form: nil, headers: {})
        ScriptHttp.request(method, url, json: json, form: form, headers: headers)
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

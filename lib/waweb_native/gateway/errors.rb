# frozen_string_literal: true

module WawebNative
  module Gateway
    # Base of every gateway failure. `status` is the HTTP status (nil when no answer came),
    # `code` the gateway's error code, `gateway_message` its own text. No message ever
    # carries the Basic Auth password: it lives only in C memory.
    class Error < StandardError
      include WawebNative::Error

      attr_reader :status, :code, :gateway_message

      def initialize(message = nil, status: nil, code: nil, gateway_message: nil)
        super(message)
        @status = status
        @code = code
        @gateway_message = gateway_message
      end

      class << self
        # Called by the C binding when no HTTP answer could be used.
        def transport(kind, detail, verb, url, max_bytes)
          case kind
          when :timeout
            TimeoutError.new("The WhatsApp gateway did not answer #{verb} #{url} in time (#{detail}). " \
                             "Check that the gateway is healthy, or raise the client's timeout.")
          when :too_large
            ResponseTooLargeError.new("The gateway's answer to #{verb} #{url} is larger than allowed" \
                                      "#{" (#{max_bytes} bytes)" if max_bytes.to_i >= 0}; nothing was kept.")
          when :interrupted then Error.new("#{verb} #{url} was interrupted before the gateway answered.")
          when :local_io then Error.new("#{verb} #{url} failed on a local file: #{detail}. Check the file's path.")
          when :argument then ArgumentError.new("invalid request #{verb} #{url}: #{detail}")
          else
            ConnectionError.new("Cannot connect to the WhatsApp gateway at #{url} (#{detail}). " \
                                "Check that the gateway is running and api_base_url is right.")
          end
        end

        # The error for a non-2xx response.
        def for_response(response, verb, url)
          status = response.status
          code, text = envelope(response)
          attrs = { status: status, code: code, gateway_message: text }
          klass, message = classify(status, code, text)
          klass.new("#{message} (HTTP #{status}#{" #{code}" if code} on #{verb} #{url})", **attrs)
        end

        private

        def classify(status, code, text)
          case status
          when 401
            if code.nil?
              return [AuthenticationError, "The gateway refused the credentials. Check the Basic Auth " \
                                           "username and password."]
            end

            [NotLoggedInError, "WhatsApp is not connected. Scan the QR code again on the connection page."]
          when 429 then [RateLimitedError, "WhatsApp is rate limiting this number: wait before sending again."]
          when 500..599 then [ServerError, "The WhatsApp gateway failed: #{text || 'no details'}. Check the " \
                                           "gateway's logs and retry later."]
          else [RequestError, "The gateway rejected the request: #{text || 'no details'}."]
          end
        end

        def envelope(response)
          data = response.json
          return [nil, nil] unless data.is_a?(Hash)

          [data["code"]&.to_s, data["message"]&.to_s]
        rescue MalformedResponseError
          [nil, nil]
        end
      end
    end

    # Refused, DNS failure, TLS failure, connection dropped.
    class ConnectionError < Error; end
    # Connect or total timeout.
    class TimeoutError < Error; end
    # 401 with a plain-text body: wrong Basic Auth credentials.
    class AuthenticationError < Error; end
    # 401 with JSON AUTHENTICATION_ERROR: the gateway is up but WhatsApp is not logged in.
    class NotLoggedInError < Error; end
    # 429 (WA_REACHOUT_TIMELOCK).
    class RateLimitedError < Error; end
    # Any other 4xx (and unexpected 3xx): VALIDATION_ERROR, INVALID_JID, NOT_FOUND...
    class RequestError < Error; end
    # 5xx.
    class ServerError < Error; end
    # A 2xx body that is not the JSON the gateway promises (raised by Response#json).
    class MalformedResponseError < Error; end
    # A response body or download past its cap.
    class ResponseTooLargeError < Error; end
  end
end

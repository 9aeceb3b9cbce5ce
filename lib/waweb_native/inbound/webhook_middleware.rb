# frozen_string_literal: true

module WawebNative
  module Inbound
    # Answers POST /webhooks/whatsapp_web/:phone_number (and the gateway-wide
    # POST /webhooks/whatsapp_web) from the middleware stack, right
    # after the host computed the caller's IP: the gateway's webhooks skip Rails' request
    # log, params and routing, which the raw-body path makes unneeded (and the body is a
    # customer's message: it stays out of the logs). Same answers as
    # Webhooks::WhatsappWebController, which serves the route where this is not installed.
    class WebhookMiddleware
      PATH = %r{\A/webhooks/whatsapp_web(?:/([^/]+?))?(?:\.json)?/?\z}
      HEADERS = { "content-type" => "text/plain", "content-length" => "0" }.freeze

      def initialize(app)
        @app = app
      end

      def call(env)
        match = env["REQUEST_METHOD"] == "POST" && PATH.match(env["PATH_INFO"])
        return @app.call(env) unless match

        [receive(env, match[1] && Rack::Utils.unescape_path(match[1])), HEADERS.dup, []]
      end

      private

      def receive(env, phone)
        request = ActionDispatch::Request.new(env)
        request.path_parameters = phone ? { phone_number: phone } : {}
        WebhookReceiver.new(request).call
      rescue StandardError => e
        # Database unreachable or a bug: 503 makes the gateway deliver the event again.
        ::Rails.logger.error("[waweb_native] webhook for #{phone || 'the gateway-wide URL'} failed: #{e.class}: " \
                             "#{e.message}")
        503
      end
    end
  end
end

# frozen_string_literal: true

require "uri"

module WawebNative
  module Operators
    # One whatsapp_web inbox seen by its operator: the gateway actions (through the
    # provider service, so the API, the page, the console and rake share one path and
    # one set of error sentences) and the settings the gateway must be started with.
    class Connection
      # The gateway signs webhooks with this literal when no secret is configured.
      DEFAULT_GATEWAY_SECRET = "secret"
      DEFAULT_FRONTEND_URL = "http://localhost:3000"

      # Raised for an inbox whose channel is not a whatsapp_web channel.
      class NotWhatsappWeb < StandardError
        include WawebNative::Error
      end

      attr_reader :inbox

      # frontend_url: the public base URL of Chatwoot (its FRONTEND_URL); the webhook URL is built on it.
      def initialize(inbox, frontend_url: nil)
        @inbox = inbox
        @frontend_url = frontend_url
        channel = inbox.respond_to?(:channel) ? inbox.channel : nil
        return if WawebNative::Chatwoot.whatsapp_web?(channel)

        raise NotWhatsappWeb, "Inbox #{inbox.respond_to?(:id) ? inbox.id : '?'} is not a WhatsApp Web inbox " \
                              "(its channel's provider must be whatsapp_web)."
      end

      def channel = inbox.channel

      def provider
        @provider ||= channel.provider_service
      end

      # {connected:, logged_in:, device_id:} plus what the operator configures and the
      # history import's progress (`import:`, nil when none; the first logged-in status
      # starts the import provider_config["import_days"] asks for). Raises
      # WawebNative::Gateway::Error when the gateway cannot tell (its message says what to do).
      def status
        status = provider.connection_status.merge(public_settings).merge(gateway_configuration_status)
        WawebNative::History.start_after_login(inbox) if status[:logged_in]
        status.merge(import: WawebNative::History.status(inbox))
      end

      # Points the gateway's device webhook at this inbox (GOWA v9+): a GatewayConfiguration::Result.
      def configure_gateway(force: false) = GatewayConfiguration.new(self).call(force: force)

      # {gateway_configured: true/false/nil (unknown), gateway_configuration: "<what is or differs>"}
      def gateway_configuration_status
        result = GatewayConfiguration.new(self).check
        { gateway_configured: result.configured?, gateway_configuration: result.message }
      rescue WawebNative::Gateway::Error => e
        { gateway_configured: nil, gateway_configuration: explain(e) }
      end

      def login_qr = provider.login_qr
      def login_with_code(phone) = { pair_code: provider.login_with_code(phone) }
      def logout = provider.logout
      def reconnect = provider.reconnect
      def devices = provider.devices

      # The gateway's sentence for an error raised by any action above.
      def explain(error)
        WawebNative::Outbound::Failure.sentence(error, provider.api_base_url)
      end

      def gateway_url
        WawebNative::Outbound::Failure.display_url(provider.api_base_url)
      end

      # Where the gateway must POST its webhooks: digits only, which the webhook route resolves.
      def webhook_url
        digits = channel.phone_number.to_s.delete("^0-9")
        "#{frontend_url}/webhooks/whatsapp_web/#{digits}"
      end

      def webhook_secret
        (channel.provider_config || {})["webhook_verify_token"].to_s
      end

      # nil when the secret is fine, else what is wrong and what to do.
      def webhook_secret_problem
        secret = webhook_secret
        if secret.strip.empty?
          "The inbox has no webhook secret: set provider_config webhook_verify_token to a long random value " \
            "and start the gateway with the same --webhook-secret."
        elsif secret == DEFAULT_GATEWAY_SECRET
          "The webhook secret is the gateway's default \"secret\": anyone can forge webhooks. Set a long random " \
            "webhook_verify_token on the inbox and the same --webhook-secret on the gateway."
        end
      end

      # Everything except the secrets, for the status answer.
      def public_settings
        { inbox_id: inbox.id, phone_number: channel.phone_number, gateway_url: gateway_url,
          webhook_url: webhook_url, webhook_secret_default: webhook_secret == DEFAULT_GATEWAY_SECRET,
          webhook_secret_blank: webhook_secret.strip.empty?, mark_read: mark_read? }
      end

      # Whether agents opening a conversation send read receipts (provider_config mark_read).
      def mark_read? = WawebNative::Outbound::ReadReceipts.enabled?(channel)

      # The gateway's command-line flags (and the same as environment variables) for this inbox.
      # These carry the secrets: show them to administrators only, never log them.
      def gateway_flags
        flags = ["--webhook=#{webhook_url}", "--webhook-secret=#{webhook_secret}"]
        flags << "--basic-auth=#{basic_auth}" if basic_auth
        flags
      end

      def gateway_env
        env = { "WHATSAPP_WEBHOOK" => webhook_url, "WHATSAPP_WEBHOOK_SECRET" => webhook_secret }
        env["APP_BASIC_AUTH"] = basic_auth if basic_auth
        env
      end

      private

      def basic_auth
        config = channel.provider_config || {}
        user = config["basic_auth_username"].to_s
        pass = config["basic_auth_password"].to_s
        user.empty? && pass.empty? ? nil : "#{user}:#{pass}"
      end

      def frontend_url
        url = @frontend_url.to_s.strip
        url = ENV.fetch("FRONTEND_URL", "").strip if url.empty?
        url = DEFAULT_FRONTEND_URL if url.empty?
        url.chomp("/")
      end
    end
  end
end

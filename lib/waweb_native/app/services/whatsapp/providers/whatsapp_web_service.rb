# frozen_string_literal: true

require "base64"
require "uri"
require "waweb_native/outbound/client_registry"
require "waweb_native/outbound/failure"
require "waweb_native/outbound/gateway_actions"
require "waweb_native/outbound/message_sender"
require "waweb_native/outbound/typing_presence"

module Whatsapp
  module Providers
    # The whatsapp_web provider: Chatwoot's provider interface over the
    # go-whatsapp-web-multidevice gateway (WawebNative::Gateway::Client).
    #
    # provider_config keys: api_base_url (default http://localhost:3000),
    # basic_auth_username, basic_auth_password, device_id (optional, sent as X-Device-Id),
    # webhook_verify_token (the webhook secret; used by the inbound side), and optionally
    # open_timeout / timeout in seconds (defaults 5 and 50: just above the gateway's own
    # 45 s abort, so its answer wins over ours).
    class WhatsappWebService < BaseService
      include WawebNative::Outbound::GatewayActions

      DEFAULT_BASE_URL = "http://localhost:3000"
      DEFAULT_OPEN_TIMEOUT = 5
      DEFAULT_TIMEOUT = 50

      # Why the last validate_provider_config? returned false (also added to the channel's
      # errors on provider_config, so the inbox settings page shows it).
      attr_reader :last_validation_error

      # Returns the gateway's message id (stored as the message's source_id) or nil after
      # marking the message failed. See WawebNative::Outbound::MessageSender.
      # A sent reply also ends the "typing..." its agent started (TypingPresence).
      def send_message(phone_number, message)
        id = WawebNative::Outbound::MessageSender.new(client: -> { client }, message: message, base_url: api_base_url,
                                                      logger: logger).call(phone_number)
        WawebNative::Outbound::TypingPresence.reply_sent(self, message, phone_number) if id
        id
      end

      NO_TEMPLATES = "WhatsApp Web has no message templates. Send the text as a normal message."

      # Nothing is sent. A given message is marked failed so the agent does not take it for delivered.
      def send_template(_phone_number, _template_info, message = nil)
        logger&.info("[waweb_native] message #{message&.id.inspect}: #{NO_TEMPLATES}")
        if message.respond_to?(:update!)
          attrs = (message.content_attributes || {}).to_h.merge("external_error" => NO_TEMPLATES)
          message.update!(status: :failed, content_attributes: attrs)
        end
        nil
      end

      # WhatsApp Web has no templates. Marking them updated stops Chatwoot's scheduler retrying.
      # update_columns: a save would re-run validate_provider_config (a gateway call) for nothing.
      def sync_templates
        channel = whatsapp_channel
        channel.update_columns(message_templates: []) if channel.persisted? && channel.message_templates.present?
        channel.mark_message_templates_updated
        []
      end

      # Reachable gateway and accepted Basic Auth. WhatsApp itself need not be logged in yet:
      # the channel is created before the QR code is scanned.
      def validate_provider_config?
        @last_validation_error = nil
        client.get("/app/status")
        true
      rescue WawebNative::Gateway::NotLoggedInError
        true
      rescue WawebNative::Gateway::RequestError => e
        # Several numbers on the gateway and none chosen yet, or a device slot not created yet:
        # reachable, credentials accepted; configuring the gateway (WawebNative.configure_gateway)
        # picks or creates the inbox's device.
        return true if %w[DEVICE_ID_REQUIRED DEVICE_NOT_FOUND].include?(e.code)

        record_validation_error(e)
        false
      rescue WawebNative::Gateway::Error => e
        record_validation_error(e)
        false
      end

      def api_headers
        headers = { "Authorization" => "Basic #{Base64.strict_encode64("#{username}:#{password}")}" }
        headers["X-Device-Id"] = device_id if device_id
        headers
      end

      # The gateway URL of a media path from a webhook ("statics/media/x.jpg").
      def media_url(path)
        return path.to_s if path.to_s.match?(%r{\Ahttps?://}i)

        "#{api_base_url}/#{path.to_s.delete_prefix('/')}"
      end

      def api_base_url
        base = setting("api_base_url") || DEFAULT_BASE_URL
        base.chomp("/")
      end

      # Raises WawebNative::Outbound::InvalidConfig (a Gateway::Error) for an unusable api_base_url.
      def client
        WawebNative::Outbound::ClientRegistry.fetch(channel_key, client_settings)
      rescue ArgumentError => e
        raise WawebNative::Outbound::InvalidConfig,
              "The gateway address in the inbox settings is not usable: #{e.message}. Fix api_base_url."
      end

      private

      def client_settings
        { base_url: api_base_url, username: username.to_s, password: password.to_s, device_id: device_id,
          open_timeout: number("open_timeout", DEFAULT_OPEN_TIMEOUT), timeout: number("timeout", DEFAULT_TIMEOUT) }
      end

      def channel_key
        id = whatsapp_channel.respond_to?(:id) ? whatsapp_channel.id : nil
        id ? [whatsapp_channel.class.name, id] : nil
      end

      def username = setting("basic_auth_username")
      def password = setting("basic_auth_password")
      def device_id = setting("device_id")

      def setting(key)
        config = whatsapp_channel.provider_config || {}
        value = (config[key] || config[key.to_sym]).to_s.strip
        value.empty? ? nil : value
      end

      def number(key, default)
        value = setting(key)
        value ? Float(value) : default
      rescue ArgumentError
        default
      end

      def record_validation_error(error)
        @last_validation_error = validation_reason(error)
        # Chatwoot's validation only adds "Invalid Credentials"; the reason goes beside it.
        whatsapp_channel.errors.add(:provider_config, @last_validation_error) if whatsapp_channel.respond_to?(:errors)
      end

      def validation_reason(error)
        case error
        when WawebNative::Gateway::AuthenticationError
          "authentication failed: the gateway refused the Basic Auth username and password"
        when WawebNative::Gateway::ConnectionError, WawebNative::Gateway::TimeoutError
          "cannot connect to the WhatsApp gateway at #{WawebNative::Outbound::Failure.display_url(api_base_url)}"
        else
          "the gateway answered: #{WawebNative::Outbound::Failure.gateway_message(error)}"
        end
      end

      def logger = WawebNative.logger
    end
  end
end

# frozen_string_literal: true

module WawebNative
  module Operators
    # Tries a gateway configuration before it is saved: is the gateway reachable, does it
    # accept the credentials, is WhatsApp logged in? Uses an unsaved channel, so the same
    # provider code (and sentences) answer as after saving.
    class ConfigTest
      KEYS = %w[api_base_url basic_auth_username basic_auth_password device_id].freeze

      # base: the saved provider_config the candidate keys are laid over ({} for a new inbox).
      def initialize(config, base: {})
        candidate = (config || {}).to_h.transform_keys(&:to_s).slice(*KEYS)
        @config = (base || {}).to_h.transform_keys(&:to_s).merge(candidate.compact)
      end

      # {reachable:, credentials_valid:, logged_in:, connected:, device_id:, error:}; nil = not known.
      def call
        provider = ::Channel::Whatsapp.new(provider: WawebNative::Chatwoot::PROVIDER, phone_number: "+0",
                                           provider_config: @config).provider_service
        status = provider.connection_status
        result(true, true, status[:logged_in], status[:connected], status[:device_id], nil)
          .tap { |r| r[:error] = WawebNative::Outbound::Failure::NOT_CONNECTED unless r[:logged_in] }
      rescue WawebNative::Gateway::AuthenticationError => e
        result(true, false, nil, nil, nil, sentence(e, provider))
      rescue WawebNative::Gateway::ConnectionError, WawebNative::Gateway::TimeoutError,
             WawebNative::Outbound::InvalidConfig => e
        result(false, nil, nil, nil, nil, sentence(e, provider))
      rescue WawebNative::Gateway::Error => e
        result(true, nil, nil, nil, nil, sentence(e, provider))
      end

      private

      def result(reachable, credentials_valid, logged_in, connected, device_id, error)
        { reachable: reachable, credentials_valid: credentials_valid, logged_in: logged_in, connected: connected,
          device_id: device_id, error: error }
      end

      def sentence(error, provider)
        return error.message if error.is_a?(WawebNative::Outbound::InvalidConfig) || provider.nil?

        WawebNative::Outbound::Failure.sentence(error, provider.api_base_url)
      end
    end
  end
end

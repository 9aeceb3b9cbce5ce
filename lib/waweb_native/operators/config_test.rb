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
        error = status[:logged_in] ? nil : WawebNative::Outbound::Failure::NOT_CONNECTED
        result(reachable: true, credentials_valid: true, error: error, **status)
      rescue WawebNative::Gateway::AuthenticationError => e
        result(reachable: true, credentials_valid: false, error: sentence(e, provider))
      rescue WawebNative::Gateway::ConnectionError, WawebNative::Gateway::TimeoutError,
             WawebNative::Outbound::InvalidConfig => e
        result(reachable: false, error: sentence(e, provider))
      rescue WawebNative::Gateway::Error => e
        result(reachable: true, error: sentence(e, provider))
      end

      private

      def result(**known)
        { reachable: nil, credentials_valid: nil, logged_in: nil, connected: nil, device_id: nil, error: nil }
          .merge(known.slice(:reachable, :credentials_valid, :logged_in, :connected, :device_id, :error))
      end

      def sentence(error, provider)
        return error.message if error.is_a?(WawebNative::Outbound::InvalidConfig) || provider.nil?

        WawebNative::Outbound::Failure.sentence(error, provider.api_base_url)
      end
    end
  end
end

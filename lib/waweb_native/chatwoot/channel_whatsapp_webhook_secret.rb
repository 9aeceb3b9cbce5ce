# frozen_string_literal: true

require "securerandom"

module WawebNative
  module Chatwoot
    # A new whatsapp_web channel gets its webhook secret (provider_config
    # 'webhook_verify_token', 16 random bytes in hex) as Chatwoot does for the Cloud
    # provider; the operator copies it into the gateway's webhook secret. A secret the
    # admin typed in is kept.
    module ChannelWhatsappWebhookSecret
      def self.prepended(model)
        model.before_validation :waweb_generate_webhook_secret, on: :create
      end

      private

      def waweb_generate_webhook_secret
        return unless provider == PROVIDER

        self.provider_config = {} if provider_config.nil?
        provider_config["webhook_verify_token"] = SecureRandom.hex(16) if provider_config["webhook_verify_token"].blank?
      end
    end
  end
end

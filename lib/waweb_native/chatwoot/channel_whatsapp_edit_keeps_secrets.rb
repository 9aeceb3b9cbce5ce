# frozen_string_literal: true

module WawebNative
  module Chatwoot
    # Chatwoot's PATCH /api/v1/accounts/:id/inboxes/:id assigns the channel's
    # provider_config whole (Channel::Whatsapp::EDITABLE_ATTRS has `provider_config: {}`),
    # so an edit that leaves out the webhook secret or the gateway password would wipe
    # it: every webhook then gets 401 and messages are lost. For a whatsapp_web channel a
    # secret the edit leaves out or blanks keeps its stored value; a new value replaces it.
    module ChannelWhatsappEditKeepsSecrets
      SECRETS = %w[webhook_verify_token basic_auth_password].freeze

      def self.prepended(model)
        model.before_validation :waweb_keep_stored_secrets, on: :update
      end

      private

      def waweb_keep_stored_secrets
        stored = waweb_stored_config
        return if stored.nil?

        config = provider_config.to_h
        kept = SECRETS.select { |key| config[key].blank? && stored[key].present? }
        self.provider_config = config.merge(kept.to_h { |key| [key, stored[key]] }) if kept.any?
      end

      # The saved config, when the channel was and stays whatsapp_web (a channel moving to
      # or from another provider starts from what the edit says).
      def waweb_stored_config
        return unless provider == PROVIDER && provider_in_database == PROVIDER

        stored = provider_config_in_database
        stored if stored.is_a?(Hash)
      end
    end
  end
end

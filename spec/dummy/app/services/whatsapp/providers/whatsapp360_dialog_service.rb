# frozen_string_literal: true

module Whatsapp
  module Providers
    # Stand-in for the 360dialog provider (Chatwoot's "default").
    class Whatsapp360DialogService < BaseService
      include StandIn

      def validate_provider_config?
        whatsapp_channel.provider_config.to_h["api_key"].present?
      end

      def api_headers
        { "D360-API-KEY" => whatsapp_channel.provider_config["api_key"], "Content-Type" => "application/json" }
      end
    end
  end
end

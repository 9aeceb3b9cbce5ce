# frozen_string_literal: true

module Whatsapp
  module Providers
    # Stand-in for Meta's Cloud API provider; only its shape matters to the gem.
    class WhatsappCloudService < BaseService
      include StandIn

      def validate_provider_config?
        whatsapp_channel.provider_config.to_h["api_key"].present?
      end

      def api_headers
        { "Authorization" => "Bearer #{whatsapp_channel.provider_config['api_key']}",
          "Content-Type" => "application/json" }
      end
    end
  end
end

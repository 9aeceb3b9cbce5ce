# frozen_string_literal: true

module WawebNative
  module Inbound
    # The gateway client of a channel, for the inbound side's few calls (media
    # downloads, group names). Nothing here raises: a gateway that
    # cannot be reached leaves the caller to its fallback.
    module GatewayAccess
      DEFAULT_BASE_URL = "http://localhost:3000"

      module_function

      # The provider service's client when it offers one (one per channel, connections
      # kept alive between jobs), else a client of our own from the same settings.
      def client_for(channel)
        service = channel.provider_service
        return service.client if service.respond_to?(:client)

        config = channel.provider_config || {}
        WawebNative::Gateway::Client.new(
          base_url: config["api_base_url"].presence || DEFAULT_BASE_URL,
          username: config["basic_auth_username"].to_s,
          password: config["basic_auth_password"].to_s,
          device_id: config["device_id"].presence
        )
      end

      # The group's subject from GET /group/info, or nil.
      def group_name(channel, group_jid)
        body = client_for(channel).get("/group/info", { group_id: group_jid }).json
        results = body.is_a?(Hash) ? body["results"] : nil
        name = results.is_a?(Hash) ? results["Name"] || results["name"] : nil
        name.is_a?(String) ? name.strip.presence : nil
      rescue StandardError => e
        ::Rails.logger.info("[waweb_native] group name of #{group_jid} unavailable (#{e.class}); using the JID")
        nil
      end
    end
  end
end

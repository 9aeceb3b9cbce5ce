# frozen_string_literal: true

module WhatsappWeb
  # Points the gateway's device webhook at a new whatsapp_web inbox (GOWA v9+). Never
  # replaces a webhook that points elsewhere, never retries: whatever it could not do is
  # logged with what to run instead, and the connection page offers the same action.
  class ConfigureGatewayJob < ActiveJob::Base
    queue_as :default

    def perform(inbox_id)
      inbox = ::Inbox.find_by(id: inbox_id)
      return if inbox.nil? || !WawebNative::Chatwoot.whatsapp_web?(inbox.channel)

      connection = WawebNative::Operators::Connection.new(inbox)
      result = connection.configure_gateway
      finish = result.configured? ? "" : " Run rake \"waweb:configure_gateway[#{inbox.id}]\" to finish."
      Rails.logger.info("[waweb_native] inbox #{inbox.id}: #{result.message}#{finish}")
    rescue WawebNative::Gateway::Error => e
      Rails.logger.info("[waweb_native] inbox #{inbox_id}: the gateway was not configured automatically: " \
                        "#{connection ? connection.explain(e) : e.message} " \
                        "Run rake \"waweb:configure_gateway[#{inbox_id}]\" once it answers.")
    end
  end
end

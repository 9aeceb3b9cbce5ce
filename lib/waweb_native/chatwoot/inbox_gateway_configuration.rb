# frozen_string_literal: true

module WawebNative
  module Chatwoot
    # Right after a whatsapp_web inbox is created (Chatwoot's dashboard API, the console, the
    # setup page), a job points the gateway's device webhook at it
    # (WawebNative::Operators::GatewayConfiguration), so the operator copies nothing. An
    # unreachable or pre-v9 gateway only gets a log line: the flags stay the way.
    module InboxGatewayConfiguration
      def self.prepended(model)
        model.after_create_commit :waweb_configure_gateway_later
      end

      private

      def waweb_configure_gateway_later
        return unless WawebNative::Operators::GatewayConfiguration.automatic?
        return unless Chatwoot.whatsapp_web?(channel)

        ::WhatsappWeb::ConfigureGatewayJob.perform_later(id)
      end
    end
  end
end

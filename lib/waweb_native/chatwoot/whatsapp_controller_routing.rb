# frozen_string_literal: true

module WawebNative
  module Chatwoot
    # Chatwoot's POST /webhooks/whatsapp/:phone_number queues whatever arrives,
    # unverified. For a whatsapp_web channel the gem's checks run instead (size,
    # signature, JSON, ignored events), exactly as on /webhooks/whatsapp_web/:phone_number.
    # It hooks process_action, not the action, so that Rails' params wrapping and
    # logging never parse a body before its signature is checked.
    module WhatsappControllerRouting
      def process_action(*)
        return super unless action_name == "process_payload"

        receiver = WawebNative::Inbound::WebhookReceiver.new(request)
        return super unless receiver.whatsapp_web_channel?

        self.status = receiver.call
        self.response_body = ""
      end
    end
  end
end

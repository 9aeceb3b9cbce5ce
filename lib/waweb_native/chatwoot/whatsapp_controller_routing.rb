# frozen_string_literal: true

module WawebNative
  module Chatwoot
    # Chatwoot's POST /webhooks/whatsapp/:phone_number queues whatever arrives,
    # unverified. For a whatsapp_web channel the gem's checks run instead (signature,
    # size, JSON, ignored events), exactly as on /webhooks/whatsapp_web/:phone_number.
    module WhatsappControllerRouting
      def process_payload
        receiver = WawebNative::Inbound::WebhookReceiver.new(request)
        return super unless receiver.whatsapp_web_channel?

        head receiver.call
      end
    end
  end
end

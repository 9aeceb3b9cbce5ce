# frozen_string_literal: true

module Webhooks
  # POST /webhooks/whatsapp_web/:phone_number, the gateway's webhook URL.
  # A Metal controller on purpose: ActionController::API would parse the JSON body
  # into params (for wrapping and for the log line) on every request, work the raw
  # body path makes unneeded. See WawebNative::Inbound::WebhookReceiver for the answers.
  class WhatsappWebController < ActionController::Metal
    def process_payload
      self.status = WawebNative::Inbound::WebhookReceiver.new(request).call
      self.response_body = ""
    end
  end
end

# frozen_string_literal: true

module WawebNative
  module Chatwoot
    # Webhooks::WhatsappEventsJob picks the incoming service by provider; a
    # whatsapp_web channel's events go to Whatsapp::IncomingMessageWhatsappWebService.
    # (The gem's own controllers queue Webhooks::WhatsappWebEventsJob; this covers
    # events queued through Chatwoot's path, e.g. before the gem was installed.)
    module WhatsappEventsJobRouting
      def perform(params = {})
        phone = params[:phone_number] || params["phone_number"] if params.respond_to?(:[])
        channel = phone && WawebNative::Inbound::ChannelLookup.find_record(phone)
        return super unless Chatwoot.whatsapp_web?(channel)
        return unless WawebNative::Inbound::ChannelLookup.active?(channel)

        ::Whatsapp::IncomingMessageWhatsappWebService.new(inbox: channel.inbox, params: params).perform
      end
    end
  end
end

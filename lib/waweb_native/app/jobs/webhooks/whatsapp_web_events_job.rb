# frozen_string_literal: true

module Webhooks
  # Processes one verified webhook body of a whatsapp_web channel, off the request.
  # Arguments are the channel id and the raw body exactly as signed (a String keeps
  # the job small and lets the service classify it in C again).
  class WhatsappWebEventsJob < ActiveJob::Base
    queue_as { WawebNative::Inbound::EventsQueue.name } # `default`, like Chatwoot's live channels
    # The body is a customer's message: it stays out of the "Enqueued ..." log lines.
    self.log_arguments = false
    # A receipt or reaction can be taken before its message by another thread: retry,
    # then let it go (its message never came, e.g. one sent before the inbox existed).
    retry_on WawebNative::Inbound::TargetNotStoredYet, wait: 5.seconds, attempts: 4 do |_job, error|
      Rails.logger.info("[waweb_native] dropped an event: #{error.message} after 4 attempts")
    end

    def perform(channel_id, raw_body)
      channel = ::Channel::Whatsapp.find_by(id: channel_id)
      return unless WawebNative::Inbound::ChannelLookup.active?(channel)
      return unless WawebNative::Chatwoot.whatsapp_web?(channel)

      inbox = WawebNative::Inbound::KnownRecords.inbox_of(channel)
      ::Whatsapp::IncomingMessageWhatsappWebService.new(inbox: inbox, raw: raw_body).perform if inbox
    end
  end
end

# frozen_string_literal: true

module WhatsappWeb
  # An agent opened a whatsapp_web conversation: mark its unread WhatsApp messages read
  # (WawebNative::Outbound::ReadReceipts). Gateway failures are logged there and never
  # retried by the job: the next opening tries again.
  class MarkReadJob < ActiveJob::Base
    queue_as :default

    def perform(conversation_id)
      conversation = ::Conversation.find_by(id: conversation_id)
      return if conversation.nil?

      WawebNative::Outbound::ReadReceipts.new(conversation).mark!
    end
  end
end

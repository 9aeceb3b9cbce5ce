# frozen_string_literal: true

module Whatsapp
  class SendOnWhatsappService
    def initialize(message:)
      @message = message
    end

    def perform
      return unless message.outgoing? || message.template?
      # A source_id means the message came from WhatsApp itself: never send it back.
      return if message.private? || message.source_id.present?

      message_id = channel.send_message(message.conversation.contact_inbox.source_id, message)
      message.update!(source_id: message_id) if message_id.present?
    end

    private

    attr_reader :message

    def channel
      message.conversation.inbox.channel
    end
  end
end

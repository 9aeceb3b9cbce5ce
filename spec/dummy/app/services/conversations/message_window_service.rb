# frozen_string_literal: true

module Conversations
  # Whether an agent may still reply freely: WhatsApp inboxes get 24 h after the last incoming message.
  class MessageWindowService
    MESSAGING_WINDOW_24_HOURS = 24.hours

    def initialize(conversation)
      @conversation = conversation
    end

    def can_reply?
      return true if messaging_window.blank?

      last_message_in_messaging_window?(messaging_window)
    end

    private

    def messaging_window
      MESSAGING_WINDOW_24_HOURS if @conversation.inbox.channel_type == "Channel::Whatsapp"
    end

    def last_message_in_messaging_window?(time)
      return false if last_incoming_message.nil?

      Time.current < last_incoming_message.created_at + time
    end

    def last_incoming_message
      @last_incoming_message ||= @conversation.messages.incoming.order(:created_at, :id).last
    end
  end
end

# frozen_string_literal: true

module WhatsappWeb
  # Shows or clears "typing..." in the customer's chat (WawebNative::Outbound::TypingPresence).
  # A typing state is worth nothing a few seconds later: no retry.
  class TypingPresenceJob < ActiveJob::Base
    queue_as :high

    def perform(conversation_id, action)
      conversation = ::Conversation.find_by(id: conversation_id)
      return if conversation.nil?

      WawebNative::Outbound::TypingPresence.send_presence(conversation, action.to_s)
    end
  end
end

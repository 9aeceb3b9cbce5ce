# frozen_string_literal: true

module WhatsappWeb
  # Shows or clears "typing..." in the customer's chat (WawebNative::Outbound::TypingPresence).
  # A typing state is worth nothing a few seconds later: no retry. Jobs may run out of order:
  # one older than the newest state already sent for the chat does nothing.
  class TypingPresenceJob < ActiveJob::Base
    queue_as :high

    # at: when the agent acted, in microseconds since the epoch (absent in jobs queued
    # before it was carried).
    def perform(conversation_id, action, at = nil)
      conversation = ::Conversation.find_by(id: conversation_id)
      return if conversation.nil?

      WawebNative::Outbound::TypingPresence.send_presence(conversation, action.to_s, at)
    end
  end
end

# frozen_string_literal: true

module WawebNative
  module Chatwoot
    # Opening a conversation (POST .../conversations/:id/update_last_seen) is the only sign
    # Chatwoot has that an agent read it: for a whatsapp_web conversation it also queues the
    # WhatsApp read receipts (WawebNative::Outbound::ReadReceipts). "Mark as unread" is a
    # different action and changes nothing on WhatsApp.
    module ConversationSeenMarksRead
      def update_last_seen
        result = super
        WawebNative::Outbound::ReadReceipts.conversation_seen(@conversation) if @conversation
        result
      end
    end
  end
end

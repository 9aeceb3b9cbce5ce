# frozen_string_literal: true

module WawebNative
  module History
    # What the inbound service needs to know about the chat an imported message belongs
    # to (its `history:` argument): the status of a conversation it creates (resolved
    # when the chat has had no message in the last 24 hours) and the conversation the
    # import already made for this chat, which the chat's next messages join.
    class ChatImport
      QUIET_AFTER = 24 * 3600

      attr_reader :conversation_id

      def initialize(state, last_message_at:, now: Time.now)
        @state = state
        @conversation_id = state.conversation_id
        @resolved = last_message_at.nil? || last_message_at < now - QUIET_AFTER
        @created = []
      end

      # A conversation made by the import was stamped with the time it was created:
      # its place in the list is its newest message's time instead.
      def finish
        @created.uniq.each do |id|
          newest = ::Message.where(conversation_id: id).maximum(:created_at)
          ::Conversation.where(id: id).update_all(last_activity_at: newest) if newest
        end
      end

      def new_conversation_status
        @resolved ? :resolved : nil
      end

      # Inside the message's transaction: the import's count moves with the message, so a
      # crash can never leave them apart.
      def count(_message)
        @state.count_message!
      end

      def remember_conversation(conversation)
        @created << conversation.id if conversation.previously_new_record?
        if conversation.id != @conversation_id
          @conversation_id = conversation.id
          @state.update_columns(conversation_id: conversation.id)
        end
        conversation
      end
    end
  end
end

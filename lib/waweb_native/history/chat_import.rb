# frozen_string_literal: true

module WawebNative
  module History
    # One chat of an import. Handed to the inbound service as its `history:` argument,
    # it counts each message made (inside the message's transaction, so the count and
    # the messages never disagree after a crash). When the chat is done, the
    # conversation the import opened for it is placed in the list by its newest
    # message's time, and resolved when that is more than QUIET_AFTER ago (one that
    # was there before only has its last activity moved up): column updates, so
    # nothing in Chatwoot reacts (no CSAT, no status events).
    class ChatImport
      QUIET_AFTER = 24 * 3600

      def initialize(state, inbox, jid)
        @state = state
        @inbox = inbox
        @jid = jid
      end

      def count(_message)
        @state.count_message!
      end

      def finish(now: Time.now)
        conversation = current_conversation
        return if conversation.nil?

        newest = ::Message.where(conversation_id: conversation.id).maximum(:created_at)
        return if newest.nil?
        return raise_activity(conversation, newest) if conversation.created_at < @state.started_at

        changes = { last_activity_at: newest }
        changes[:status] = ::Conversation.statuses.fetch("resolved") if newest < now - QUIET_AFTER
        ::Conversation.where(id: conversation.id).update_all(changes)
      end

      private

      # A conversation that was there before the import only moves up, never back.
      def raise_activity(conversation, newest)
        ::Conversation.where(id: conversation.id).where("last_activity_at IS NULL OR last_activity_at < ?", newest)
                      .update_all(last_activity_at: newest)
      end

      # The chat's conversation new messages go to (found as the inbound path finds it).
      def current_conversation
        known = WawebNative::Inbound::ContactResolver.new(@inbox).existing(WawebNative::JID.parse(@jid))
        known && WawebNative::Inbound::ConversationFinder.new(@inbox).existing(known.contact_id)
      end
    end
  end
end

# frozen_string_literal: true

module WawebNative
  module Inbound
    # One conversation per chat, Chatwoot's way: with lock_to_single_conversation the
    # chat's last conversation whatever its status, otherwise its last unresolved one,
    # and a new conversation when there is none. Conversations are looked up by
    # contact (not by ContactInbox) so a contact reached through a LID alias lands in
    # the same conversation as through its phone.
    class ConversationFinder
      def initialize(inbox)
        @inbox = inbox
      end

      # Call inside a transaction: the chat's ContactInbox row is locked so two messages
      # of one chat processed at once cannot open two conversations. The conversation comes
      # with this inbox, the ContactInbox and its contact (when loaded) in hand.
      def find_or_create(contact_inbox, group: false)
        contact = contact_inbox.association(:contact).target # the lock's reload forgets it
        contact_inbox.lock!
        conversation = existing(contact_inbox.contact_id) || create(contact_inbox, group)
        KnownRecords.conversation_with(conversation, inbox: @inbox, contact_inbox: contact_inbox, contact: contact)
      end

      # The conversation new messages of this contact go to, or nil.
      def existing(contact_id)
        scope = ::Conversation.where(inbox_id: @inbox.id, contact_id: contact_id)
        scope = scope.where.not(status: :resolved) unless @inbox.lock_to_single_conversation
        scope.order(:id).last
      end

      # The contact's last conversation in any status (for events about a known chat).
      def last(contact_id)
        ::Conversation.where(inbox_id: @inbox.id, contact_id: contact_id).order(:id).last
      end

      private

      def create(contact_inbox, group)
        attributes = group ? { "chat_type" => "group", "group_jid" => contact_inbox.source_id } : {}
        ::Conversation.create!(account_id: @inbox.account_id, inbox_id: @inbox.id, contact_id: contact_inbox.contact_id,
                               contact_inbox_id: contact_inbox.id, additional_attributes: attributes)
      end
    end
  end
end

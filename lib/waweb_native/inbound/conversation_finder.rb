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
      # of one chat processed at once cannot open two conversations.
      # History imports pass the status a new conversation gets (resolved for a quiet
      # chat) and the id of the conversation they made earlier for this chat, which
      # their later messages join even when it is resolved.
      def find_or_create(contact_inbox, group: false, status: nil, known_id: nil)
        contact_inbox.lock!
        existing(contact_inbox.contact_id) || known(known_id, contact_inbox.contact_id) ||
          create(contact_inbox, group, status)
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

      def known(id, contact_id)
        id && ::Conversation.find_by(id: id, inbox_id: @inbox.id, contact_id: contact_id)
      end

      def create(contact_inbox, group, status = nil)
        attributes = group ? { "chat_type" => "group", "group_jid" => contact_inbox.source_id } : {}
        conversation = ::Conversation.create!(account_id: @inbox.account_id, inbox_id: @inbox.id,
                                              contact_id: contact_inbox.contact_id, contact_inbox_id: contact_inbox.id,
                                              additional_attributes: attributes, **(status ? { status: status } : {}))
        # Chatwoot's before_create may choose another status (pending for a bot inbox):
        # an import's choice stands, without a status-change callback.
        conversation.update_columns(status: status) if status && conversation.status != status.to_s
        conversation
      end
    end
  end
end

# frozen_string_literal: true

module WawebNative
  module Inbound
    # Records the webhook job already holds, handed to the associations that would load
    # them again: the job itself and Chatwoot's Message callbacks after it read
    # message.inbox.channel, inbox.account, conversation.inbox, conversation.contact...
    # In real Chatwoot each of those was one more query per message. A record is handed
    # over only when it is the one the foreign key names, and never over a loaded target.
    module KnownRecords
      module_function

      # The channel's inbox, whose channel and account are the ones in hand.
      def inbox_of(channel)
        inbox = channel.inbox
        return nil if inbox.nil?

        share(inbox, :channel, channel)
        share(inbox, :account, channel.account) if channel.association(:account).loaded?
        inbox
      end

      # The conversation a message goes to, with the inbox and the chat's contact (and
      # its ContactInbox) that found it.
      def conversation_with(conversation, inbox:, contact_inbox:, contact:)
        share(conversation, :inbox, inbox)
        share(conversation, :account, inbox.account) if inbox.association(:account).loaded?
        share(conversation, :contact_inbox, contact_inbox)
        share(conversation, :contact, contact)
        conversation
      end

      def share(record, name, value)
        return if value.nil?

        association = record.association(name)
        return if association.loaded? || !names?(record, association.reflection, value)

        association.target = value
      end

      def names?(record, reflection, value)
        return false unless record[reflection.foreign_key] == value.id

        !reflection.polymorphic? || record[reflection.foreign_type] == value.class.polymorphic_name
      end
    end
  end
end

# frozen_string_literal: true

module WawebNative
  module Inbound
    # Events that change a message already in the inbox: reactions, edits and
    # revokes (delete for everyone). Each runs under a row lock so two events on the
    # same message never lose each other's content_attributes, and each is naturally
    # idempotent: applying it twice leaves the same record.
    class MessageMutations
      def initialize(inbox)
        @inbox = inbox
      end

      # reactions: {"<who>" => "<emoji>"}; an empty emoji takes that person's reaction away.
      def react(event, reactor)
        change(event.target_id) do |message, attributes|
          reactions = (attributes["reactions"] || {}).dup
          if event.emoji.to_s.empty?
            reactions.delete(reactor)
          else
            reactions[reactor] = event.emoji
          end
          attributes["reactions"] = reactions
          message
        end
      end

      # The new text replaces the content; the text it replaced is kept.
      def edit(event)
        change(event.target_id) do |message, attributes|
          next nil if event.text.nil? || message.content == event.text

          attributes["previous_content"] = message.content
          attributes["edited_at"] = edit_time(event)
          message.content = event.text
          message
        end
      end

      # Flagged deleted as Chatwoot does; the original text stays for agents.
      def revoke(event)
        change(event.target_id) do |message, attributes|
          next nil if attributes["deleted"]

          attributes["deleted"] = true
          attributes["original_content"] = message.content if message.content.present?
          attributes["deleted_at"] = edit_time(event)
          message
        end
      end

      private

      def change(source_id)
        return nil if source_id.blank?

        message = target(source_id)
        raise TargetNotStoredYet, source_id if message.nil?

        message.with_lock do
          attributes = (message.content_attributes || {}).to_h.deep_stringify_keys
          next unless yield(message, attributes)

          message.content_attributes = attributes
          message.save!
        end
        message
      end

      def target(source_id)
        ::Message.where(inbox_id: @inbox.id, source_id: source_id).order(:id).first
      end

      def edit_time(event)
        event.timestamp || Time.now.to_i
      end
    end
  end
end

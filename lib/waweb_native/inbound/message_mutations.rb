# frozen_string_literal: true

module WawebNative
  module Inbound
    # Events that change a message already in the inbox: reactions, edits and
    # revokes (delete for everyone). Each runs under a row lock so two events on the
    # same message never lose each other's content_attributes, and each is naturally
    # idempotent: applying it twice leaves the same record.
    #
    # The record keeps what happened (reactions, bare_content, edits, original_content);
    # MessagePresentation turns it into what the stock dashboard shows: the message's
    # content is rewritten (edit mark, delete note) and one activity line, quoting the
    # message, tells agents at the bottom of the conversation what changed.
    class MessageMutations
      SOMEONE = "Someone"

      def initialize(inbox)
        @inbox = inbox
      end

      # reactions: {"<who>" => "<emoji>"}; an empty emoji takes that person's reaction away.
      # `who` is the reactor's name for the activity line. A reaction older than the
      # last one applied for the same person (Sidekiq can swap them) changes nothing.
      def react(event, reactor, who: nil)
        change(event.target_id) do |message, attributes|
          next nil if stale?(event, (attributes["reacted_at"] || {})[reactor])

          previous = (attributes["reactions"] || {})[reactor].to_s
          emoji = event.emoji.to_s
          record_reaction(attributes, reactor, emoji, event.timestamp)
          next [message, nil] if previous == emoji # same state: nothing new to tell

          line = MessagePresentation.reaction_line(who || SOMEONE, emoji, previous, bare(message, attributes))
          [message, line, { "reaction" => { "by" => reactor, "emoji" => emoji, "previous" => previous } }]
        end
      end

      # The new text replaces the content (marked edited); every text it replaced is
      # kept in `edits` (oldest first, each with the time it was replaced), the last one
      # also as `previous_content`.
      def edit(event, who: nil)
        change(event.target_id) do |message, attributes|
          before = bare(message, attributes)
          next nil if event.text.nil? || before == event.text || attributes["deleted"]

          time = event_time(event)
          next late_edit(message, attributes, event.text, time) if time < attributes["edited_at"].to_i

          attributes.merge!("edits" => Array(attributes["edits"]) + [{ "content" => before, "edited_at" => time }],
                            "previous_content" => before, "edited_at" => time, "bare_content" => event.text)
          message.content = MessagePresentation.content(event.text, sender_label: attributes["sender_label"],
                                                                    edited: true)
          [message, MessagePresentation.edit_line(who || author(message), before, event.text),
           { "edit" => { "edited_at" => time } }]
        end
      end

      # Flagged deleted as Chatwoot does; the original text stays, quoted under a note.
      def revoke(event, who: nil)
        change(event.target_id) do |message, attributes|
          next nil if attributes["deleted"]

          original = bare(message, attributes)
          attributes["deleted"] = true
          attributes["original_content"] = original if original.present?
          attributes["deleted_at"] = event_time(event)
          attributes["bare_content"] = original
          message.content = MessagePresentation.content(original, sender_label: attributes["sender_label"],
                                                                  deleted: true)
          line = MessagePresentation.delete_line(who || author(message), original)
          [message, line, { "revoke" => { "deleted_at" => attributes["deleted_at"] } }]
        end
      end

      private

      # Yields the locked message and its attributes; the block answers nil (nothing
      # to save) or [message, activity line or nil, data for the line].
      def change(source_id)
        return nil if source_id.blank?

        message = target(source_id)
        raise TargetNotStoredYet, source_id if message.nil?

        message.with_lock do
          attributes = (message.content_attributes || {}).to_h.deep_stringify_keys
          changed, line, data = yield(message, attributes)
          next if changed.nil?

          message.content_attributes = attributes
          message.save!
          activity(message, line, data) if line
        end
        message
      end

      # One activity line in the message's conversation, quoting the message (the
      # dashboard shows in_reply_to above the line and scrolls to it on click). A line
      # the host refuses (its flood limit) is logged; the change itself is kept.
      def activity(message, line, data)
        record = message.conversation.messages.new(
          account_id: @inbox.account_id, inbox_id: @inbox.id, message_type: :activity, content: line,
          content_attributes: { "in_reply_to" => message.id }.merge(data || {})
        )
        return if record.save

        Rails.logger.warn("[waweb_native] activity line not saved for message #{message.id} " \
                          "(inbox #{@inbox.id}): #{record.errors.full_messages.join(', ')}")
      end

      # The message's text without the sender line and the edit/delete notes.
      def bare(message, attributes)
        attributes.key?("bare_content") ? attributes["bare_content"] : message.content
      end

      def author(message)
        return MessagePresentation::OWN_ACCOUNT if message.outgoing?

        MessagePresentation.person(message.sender.is_a?(::Contact) ? message.sender : nil)
      end

      def record_reaction(attributes, reactor, emoji, time)
        reactions = (attributes["reactions"] || {}).dup
        emoji.empty? ? reactions.delete(reactor) : reactions[reactor] = emoji
        attributes["reactions"] = reactions
        attributes["reacted_at"] = (attributes["reacted_at"] || {}).merge(reactor => time) if time
      end

      # An edit older than the one shown (Sidekiq can swap two): the newer text stays, and
      # the history is set right. Each entry of `edits` is a text and the time it was
      # replaced: the first entry replaced after `time` was in truth replaced at `time`,
      # by this text, which lasted until that entry's time.
      def late_edit(message, attributes, text, time)
        history = Array(attributes["edits"]).map(&:dup)
        index = history.index { |entry| entry["edited_at"].to_i > time }
        return [message, nil] if index.nil?

        replaced_at = history[index]["edited_at"]
        history[index]["edited_at"] = time
        history.insert(index + 1, { "content" => text, "edited_at" => replaced_at })
        attributes["edits"] = history
        attributes["previous_content"] = history.last["content"]
        [message, nil]
      end

      def stale?(event, last_time)
        event.timestamp && last_time && event.timestamp < last_time.to_i
      end

      # By source_id, else as a later part of a reply the gem sent as several WhatsApp
      # messages (a reaction to its second photo reaches it).
      def target(source_id)
        found = ::Message.where(inbox_id: @inbox.id, source_id: source_id).order(:id).first
        return found if found

        id = WawebNative::Outbound::DeliveredParts.message_ids(@inbox.id, [source_id])[source_id.to_s]
        id && ::Message.find_by(inbox_id: @inbox.id, id: id)
      end

      def event_time(event)
        event.timestamp || Time.now.to_i
      end
    end
  end
end

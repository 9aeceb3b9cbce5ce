# frozen_string_literal: true

module WawebNative
  module Inbound
    # What Chatwoot's stock dashboard shows for what WhatsApp knows, written into the
    # only fields it renders: a message's `content` (Markdown in text bubbles) and
    # activity lines (centred, their content read as HTML). The edit and delete notes are
    # plain text: an activity line quotes its message's content above it as raw text (no
    # Markdown there), so a note with Markdown would show its underscores. The structured record stays
    # in content_attributes (reactions, bare_content, edits, original_content...);
    # these texts are only its face.
    module MessagePresentation
      EDITED_MARK = "✏️ Edited"
      EDITED_MARK_LINE = "\n#{EDITED_MARK}".freeze
      DELETED_MARK = "🚫 This message was deleted on WhatsApp. It said:"
      DELETED_EMPTY = "🚫 This message was deleted on WhatsApp."
      OWN_ACCOUNT = "This WhatsApp account"
      UNKNOWN_PERSON = "Unknown participant"
      EXCERPT = 60
      MAX_CONTENT = 150_000
      BUBBLES_NAMING_SENDER = %i[location contact].freeze
      # provider_config key; anything but false/"false" keeps the sender line.
      SENDER_SWITCH = "group_sender_names"

      module_function

      # content of a message: the sender line (groups), the text, and the edit or
      # delete note. `bare` is the content without any of those.
      def content(bare, sender_label: nil, edited: false, deleted: false)
        lines = sender_label.present? ? ["**#{markdown_escape(sender_label)}**"] : []
        lines += deleted ? deleted_lines(bare) : [bare.presence, (EDITED_MARK_LINE if edited)].compact
        lines.empty? ? nil : limit(lines.join("\n"))
      end

      # Chatwoot refuses content over 150,000 characters; the whole text stays in bare_content.
      def limit(text)
        text.length > MAX_CONTENT ? "#{text[0, MAX_CONTENT - 1]}…" : text
      end

      def deleted_lines(bare)
        bare.present? ? ["#{DELETED_MARK} “#{bare}”"] : [DELETED_EMPTY]
      end

      # A new group message's attributes with the sender line in front of its content
      # (bare_content and sender_label keep the parts). Location and contact cards
      # are left alone: their stock bubbles already say "<sender> has shared ...",
      # and content would turn the map card into a plain text bubble.
      def with_sender(attributes, inbox:, kind:, sender:)
        return attributes if sender.nil? || BUBBLES_NAMING_SENDER.include?(kind) || !sender_names?(inbox)

        label = person(sender)
        bare = attributes[:content]
        extra = { "sender_label" => label, "bare_content" => bare }
        attributes.merge(content: content(bare, sender_label: label),
                         content_attributes: (attributes[:content_attributes] || {}).merge(extra))
      end

      def sender_names?(inbox)
        !%w[false 0 off].include?(inbox.channel.provider_config.to_h[SENDER_SWITCH].to_s.strip.downcase)
      end

      # Name of a contact as agents know it; its number when the name is only a placeholder.
      def person(contact, fallback: nil)
        name = contact&.name.to_s.strip
        phone = contact&.phone_number.presence
        return phone || fallback || UNKNOWN_PERSON if name.empty? || name.match?(/\A\+?\d+(@[a-z.]+)?\z/)

        name
      end

      def reaction_line(who, emoji, previous, target_text)
        on = target_phrase(target_text)
        who = plain(who)
        if emoji.to_s.empty?
          "#{who} removed the reaction #{plain(previous)} from #{on}"
        elsif previous.to_s.empty?
          "#{who} reacted #{plain(emoji)} to #{on}"
        else
          "#{who} changed the reaction on #{on} from #{plain(previous)} to #{plain(emoji)}"
        end
      end

      def edit_line(who, before, after)
        "#{plain(who)} edited a message. Before: #{target_phrase(before)} Now: #{target_phrase(after)}"
      end

      def delete_line(who, original)
        "#{plain(who)} deleted a message on WhatsApp: #{target_phrase(original)}"
      end

      def target_phrase(text)
        text = text.to_s.gsub(/\s+/, " ").strip
        return "a message without text" if text.empty?

        text = "#{text[0, EXCERPT - 1]}…" if text.length > EXCERPT
        "“#{plain(text)}”"
      end

      # Activity lines are rendered as HTML (sanitised, but an <img> would still load):
      # customer-typed text never carries a tag there.
      def plain(text)
        text.to_s.tr("<>", "‹›")
      end

      def markdown_escape(text)
        text.to_s.gsub(/([\\*_~`\[\]#])/) { "\\#{Regexp.last_match(1)}" }
      end
    end
  end
end

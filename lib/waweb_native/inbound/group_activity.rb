# frozen_string_literal: true

module WawebNative
  module Inbound
    # Participants joining, leaving, promoted or demoted become one activity message
    # in the group's conversation. A group the inbox has no conversation for gets
    # nothing: a participant event must not create a conversation nobody asked for.
    module GroupActivity
      VERBS = {
        join: "joined the group", leave: "left the group",
        promote: "became a group admin", demote: "is no longer a group admin"
      }.freeze

      module_function

      def content(event, names)
        verb = VERBS[event.group_action]
        return nil if verb.nil? || names.empty?

        "#{names.join(', ')} #{verb}"
      end

      def joined_content(event)
        name = event.group_name.presence
        name ? "This WhatsApp account joined the group #{name}" : "This WhatsApp account joined the group"
      end

      # How a participant is shown: the contact's name when known, else the phone or JID.
      def display_names(inbox, jids)
        resolver = ContactResolver.new(inbox)
        jids.filter_map do |raw|
          jid = WawebNative::JID.parse(raw)
          contact_inbox = resolver.existing(jid)
          contact_inbox&.contact&.name.presence || jid.phone || jid.to_s
        rescue WawebNative::InvalidJID
          nil
        end
      end
    end
  end
end

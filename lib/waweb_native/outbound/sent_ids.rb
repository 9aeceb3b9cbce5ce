# frozen_string_literal: true

module WawebNative
  module Outbound
    # One Chatwoot reply can go out as several WhatsApp messages (the text, then each
    # attachment). source_id keeps the first id, as Chatwoot expects; a reply sent as more
    # than one message also lists every id, in order, in content_attributes, so that what
    # acts on the whole reply (a revoke) reaches each of them.
    module SentIds
      KEY = "waweb_sent_ids"

      module_function

      # After a send: source_id (when unset) and, for several messages, the list.
      def record(message, ids)
        changes = {}
        changes[:source_id] = ids.first if message.source_id.to_s.empty?
        changes[:content_attributes] = (message.content_attributes || {}).to_h.merge(KEY => ids) if ids.size > 1
        message.update!(changes) unless changes.empty?
      end

      # Every WhatsApp id the message went out as (none for a message that never did).
      def of(message)
        attrs = message.content_attributes || {}
        listed = Array(attrs[KEY] || attrs[KEY.to_sym]).map(&:to_s).reject(&:empty?)
        return listed unless listed.empty?

        message.source_id.to_s.empty? ? [] : [message.source_id.to_s]
      end
    end
  end
end

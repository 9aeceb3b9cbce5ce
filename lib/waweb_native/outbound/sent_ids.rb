# frozen_string_literal: true

require "waweb_native/outbound/delivered_parts"

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

      # Every WhatsApp id the message went out as (none for a message that never did): the
      # list, else source_id, else the ledger (a failed reply whose list Chatwoot's retry
      # cleared while the retry has not run yet).
      def of(message)
        listed = listed(message)
        return listed unless listed.empty?
        return [message.source_id.to_s] unless message.source_id.to_s.empty?

        message.respond_to?(:inbox_id) && message.id ? DeliveredParts.new(message).ids : []
      end

      def listed(message)
        attrs = message.content_attributes || {}
        Array(attrs[KEY] || attrs[KEY.to_sym]).map(&:to_s).reject(&:empty?)
      end
    end
  end
end

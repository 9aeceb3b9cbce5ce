# frozen_string_literal: true

module WawebNative
  module Outbound
    # An agent deleting one of our messages in Chatwoot deletes it for everyone on WhatsApp
    # (POST /message/:id/revoke for each message it went out as: SentIds), in
    # WhatsappWeb::RevokeMessageJob. Only messages that reached WhatsApp (they have a
    # source_id, or, failed halfway, the ids of the parts that went) and that were not
    # already deleted: a message
    # the phone revoked was flagged deleted by the webhook, and must not bounce back.
    # When WhatsApp will not delete it (too old: about two days), the message stays deleted
    # in Chatwoot with a note in content_attributes["external_error"].
    module Revocation
      OURS = %w[outgoing template].freeze
      REFUSED = "Deleted here only: WhatsApp did not delete it on the customer's phone (%<reason>s)."
      NOT_QUEUED = "Deleted here only: the deletion could not be queued for WhatsApp (%<reason>s)."

      module_function

      # Was this message deleted before the agent's action? (read before Chatwoot's update)
      def deleted?(message)
        attrs = message.content_attributes || {}
        [true, "true"].include?(attrs["deleted"]) || [true, "true"].include?(attrs[:deleted])
      end

      # The WhatsApp ids to revoke, read before Chatwoot's update replaces content_attributes.
      # Runs before every delete in Chatwoot, whatever the inbox: never raises.
      def sent_ids(message)
        return [] if message.nil? || !OURS.include?(message.message_type.to_s) || message.private?

        SentIds.of(message)
      rescue StandardError => e
        logger&.error("[waweb_native] ids of message #{message.id} not read before its delete (#{e.class}): " \
                      "#{e.message}")
        []
      end

      # Called after Chatwoot deleted the message. deleted_before: deleted? and sent_ids:
      # sent_ids, both read before that. Never raises.
      def agent_deleted(message, deleted_before:, sent_ids: [])
        return unless revocable?(message, deleted_before, sent_ids)

        ::WhatsappWeb::RevokeMessageJob.perform_later(message.id, *sent_ids)
      rescue StandardError => e
        logger&.error("[waweb_native] revoke of message #{message&.id} not queued (#{e.class}): #{e.message}")
        note(message, format(NOT_QUEUED, reason: e.class.name)) if message.respond_to?(:update!)
      end

      def revocable?(message, deleted_before, sent_ids = [])
        return false if message.nil? || deleted_before
        return false unless OURS.include?(message.message_type.to_s) && !message.private?
        return false if message.source_id.to_s.empty? && sent_ids.empty?

        !AgentChat.for(message.conversation).nil?
      end

      # Runs in the job, for each id (SentIds.of for a job queued with none). Raises only
      # what the job retries (revoking twice is harmless, so a retry starts over); the first
      # refusal becomes the note, after the other ids were tried.
      def revoke!(message, ids = [])
        target = AgentChat.for(message.conversation)
        ids = SentIds.of(message) if ids.empty?
        return false unless target && !ids.empty?

        refusal = ids.filter_map { |id| revoke_one(target, id) }.first
        refused(message, target, refusal) if refusal
        refusal.nil?
      rescue WawebNative::InvalidJID => e
        refused(message, target, e)
        false
      end

      def revoke_one(target, id)
        target.provider.revoke(id, target.chat)
        nil
      rescue WawebNative::Gateway::RequestError => e
        e
      end

      # The gateway refused, or stayed unreachable through every retry.
      def refused(message, target, error)
        reason = target ? target.explain(error) : error.message
        where = target ? " of #{target.describe}" : ""
        logger&.warn("[waweb_native] message #{message.id}#{where} deleted in Chatwoot but not on WhatsApp " \
                     "(#{error.class.name}): #{reason}")
        note(message, format(REFUSED, reason: reason.to_s.chomp(".")))
      end

      # A normal update, so Chatwoot's message.updated shows the note in the open dashboard.
      def note(message, sentence)
        attrs = (message.content_attributes || {}).to_h.merge("external_error" => sentence)
        message.update!(content_attributes: attrs)
      rescue StandardError => e
        logger&.error("[waweb_native] note on message #{message.id} not saved (#{e.class}): #{e.message}")
      end

      def logger = WawebNative.logger
    end
  end
end

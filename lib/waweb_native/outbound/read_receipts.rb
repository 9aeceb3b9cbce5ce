# frozen_string_literal: true

module WawebNative
  module Outbound
    # Blue ticks on the customer's phone when an agent opens a conversation: each incoming
    # WhatsApp message is marked read once (POST /message/:id/read), the LIMIT newest per
    # opening, in a job. "Once" is a row per message in the gem's ledger
    # (waweb_processed_events, key "read:<id>"), claimed before the call, so two agents
    # opening the chat together never mark a message twice. A gateway that cannot take the
    # calls gives the claims back for the next opening; a message it refuses stays claimed.
    class ReadReceipts
      LIMIT = 50
      SETTING = "mark_read"
      OFF = [false, "false", "0", 0, "off", "no"].freeze
      # Worth another try at the next opening: the gateway or WhatsApp was not there.
      TRANSIENT = [WawebNative::Gateway::ConnectionError, WawebNative::Gateway::TimeoutError,
                   WawebNative::Gateway::ServerError, WawebNative::Gateway::NotLoggedInError,
                   WawebNative::Gateway::AuthenticationError, WawebNative::Gateway::RateLimitedError,
                   InvalidConfig].freeze

      # provider_config["mark_read"]: on unless set to false/"false"/"0"/"off"/"no".
      def self.enabled?(channel)
        config = channel.respond_to?(:provider_config) ? channel.provider_config || {} : {}
        value = config[SETTING]
        value = value.strip.downcase if value.is_a?(String)
        !OFF.include?(value)
      end

      # Called when an agent opened the conversation. Never raises: the agent's request
      # must not fail or wait because of WhatsApp.
      def self.conversation_seen(conversation)
        target = AgentChat.for(conversation)
        return unless target && enabled?(target.channel)

        ::WhatsappWeb::MarkReadJob.perform_later(conversation.id)
      rescue StandardError => e
        logger&.error("[waweb_native] read receipts for conversation #{conversation&.id} not queued " \
                      "(#{e.class}): #{e.message}")
      end

      def self.logger = WawebNative.logger

      def initialize(conversation)
        @target = AgentChat.for(conversation)
      end

      # Marks what is unmarked; returns how many messages the gateway took.
      def mark!
        return 0 unless @target && self.class.enabled?(@target.channel)

        claimed = claim(candidates)
        send_claimed(claimed)
      end

      private

      # [[message id, source id]] of the newest incoming WhatsApp messages, oldest first.
      def candidates
        @target.conversation.messages
               .where(message_type: :incoming, private: false)
               .where.not(source_id: [nil, ""])
               .order(id: :desc).limit(LIMIT).pluck(:id, :source_id).reverse
      end

      # The source ids this job now owns (absent from the ledger until now).
      def claim(rows)
        keys = rows.map { |_, source_id| key(source_id) }.uniq
        return [] if keys.empty?

        time = Time.now
        inserted = ledger.insert_all(keys.map { |k| { inbox_id: @target.inbox_id, event_key: k, created_at: time } },
                                     unique_by: %i[inbox_id event_key], returning: %w[event_key])
        owned = inserted.rows.flatten
        rows.map(&:last).uniq.select { |source_id| owned.include?(key(source_id)) }
      end

      def send_claimed(source_ids)
        return 0 if source_ids.empty?

        provider = @target.provider
        source_ids.each_with_index do |source_id, done|
          provider.mark_read([source_id], @target.chat)
        rescue *TRANSIENT => e
          give_back(source_ids[done..])
          log_failure(e, source_ids.size - done, :warn, "left for the next opening")
          return done
        rescue WawebNative::Gateway::Error, WawebNative::InvalidJID => e
          log_failure(e, 1, :info, "refused, not retried: #{source_id}")
        end
        source_ids.size
      end

      def give_back(source_ids)
        ledger.where(inbox_id: @target.inbox_id, event_key: source_ids.map { |id| key(id) }).delete_all
      end

      def log_failure(error, count, level, what)
        self.class.logger&.public_send(level, "[waweb_native] read receipts for #{@target.describe}: #{count} " \
                                              "not marked read on WhatsApp, #{what} (#{error.class.name}): " \
                                              "#{@target.explain(error)}")
      end

      def key(source_id) = "read:#{source_id}"
      def ledger = WawebNative::Inbound::ProcessedEvent
    end
  end
end

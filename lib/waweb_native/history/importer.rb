# frozen_string_literal: true

module WawebNative
  module History
    # Imports one inbox's history: the store's chats in JID order, each chat's messages
    # of the import's window oldest first, every message through the inbound service
    # (as the webhook the gateway would have sent) inside Quiet. A message the ledger
    # already holds (an earlier import, a live webhook) is left as it is, without asking
    # the gateway for its media. The count moves with each message (ChatImport#count),
    # the cursor after each chat; a gateway error stops the import as "failed" with the
    # sentence an operator can act on (ImportJob retries it from its cursor).
    class Importer
      SKIPPED_SERVERS = %w[broadcast newsletter].freeze

      def initialize(inbox, state, store: nil, media_budget: MediaPlan::DEFAULT_BUDGET)
        @inbox = inbox
        @state = state
        @client = WawebNative::Inbound::GatewayAccess.client_for(inbox.channel)
        @store = store || Store.new(@client)
        @media = MediaPlan.new(used: state.media_bytes, budget: media_budget)
      end

      def run
        @device_id = @store.own_jid
        chats = chats_in_window
        @state.update_columns(chats_total: chats.size, updated_at: Time.now)
        chats.each do |chat|
          next if @state.done_through && chat["jid"] <= @state.done_through

          import_chat(chat)
          @state.chat_finished!(chat["jid"])
        end
        @state.finish!
        @state
      rescue WawebNative::Gateway::Error => e
        stop(WawebNative::Outbound::Failure.sentence(e, @client.base_url))
      end

      private

      def chats_in_window
        @store.chats.filter_map do |chat|
          jid = canonical(chat["jid"])
          next if jid.nil?

          last = chat["last_message_time"]
          next if last && last < @state.window_start

          chat.merge("jid" => jid)
        end.uniq { |chat| chat["jid"] }.sort_by { |chat| chat["jid"] }
      end

      # Chats that become conversations (users, LIDs, groups), their JIDs in canonical form.
      def canonical(value)
        jid = WawebNative::JID.parse(value.to_s)
        %i[user lid group].include?(jid.kind) ? jid.to_s : nil
      rescue WawebNative::InvalidJID
        nil
      end

      def import_chat(chat)
        rows = @store.messages(chat["jid"], from: @state.window_start, to: @state.window_end)
        last = [chat["last_message_time"], rows.last&.dig("timestamp")].compact.max
        context = ChatImport.new(@state, last_message_at: last)
        rows.each do |row|
          row["chat_jid"] = chat["jid"]
          import_message(row, context)
        end
        context.finish
      end

      def import_message(row, context)
        key = WawebNative::Inbound::ProcessedEvent.message_key(row["id"])
        return if WawebNative::Inbound::ProcessedEvent.processed?(@inbox.id, key)

        size = 0
        message = Quiet.run { service(message_body(row) { |bytes| size = bytes }, context).perform }
        return unless message.is_a?(::Message)

        @state.spent_media!(size) if size.positive?
        import_reactions(row)
      end

      def message_body(row)
        kind = MediaPlan.kind(row)
        return WebhookBody.message(row, device_id: @device_id) if kind.nil?

        size = row["file_length"].to_i
        note = @media.refusal(kind, size)
        return WebhookBody.message(row, device_id: @device_id, note: note) if note

        path = downloaded_path(row)
        return WebhookBody.message(row, device_id: @device_id, note: MediaPlan.unavailable_note) if path.nil?

        @media.spend(size)
        yield size
        WebhookBody.message(row, device_id: @device_id, media: { kind: kind, path: path })
      end

      # The gateway fetches the file from WhatsApp into its statics/; the inbound path
      # then streams it from there as for a webhook. A file WhatsApp no longer has is a note.
      def downloaded_path(row)
        results = @store.download(row["id"], row["chat_jid"])
        path = results["file_path"].to_s.delete_prefix("/")
        path.start_with?("statics/") ? path : nil
      rescue WawebNative::Gateway::RequestError, WawebNative::Gateway::ServerError => e
        ::Rails.logger.info("[waweb_native] history media of #{row['id']} unavailable (#{e.class})")
        nil
      end

      def import_reactions(row)
        Array(row["reactions"]).grep(Hash).each do |reaction|
          next if reaction["emoji"].to_s.empty?

          Quiet.run { service(WebhookBody.reaction(row, reaction, device_id: @device_id), nil).perform }
        rescue WawebNative::Inbound::TargetNotStoredYet
          nil
        end
      end

      def service(raw, context)
        ::Whatsapp::IncomingMessageWhatsappWebService.new(inbox: @inbox, raw: raw, history: context)
      end

      def stop(sentence)
        @state.fail!(sentence)
        raise ImportFailed, sentence
      end
    end
  end
end

# frozen_string_literal: true

module WawebNative
  module History
    # Imports one inbox's history: the store's chats in JID order, taken by `threads`
    # workers side by side (on PostgreSQL; each with a connection of the import's own
    # pool, so Sidekiq's threads never wait for one), each chat's
    # messages of the import's window oldest first, every message through the inbound
    # service (as the webhook the gateway would have sent) inside Quiet. A message the
    # ledger already holds (an earlier import, a live webhook) is left as it is, without
    # asking the gateway for its media. The count moves with each message
    # (ChatImport#count), the cursor after each chat; a gateway error stops the import
    # as "failed" with the sentence an operator can act on (ImportJob retries it from
    # its cursor).
    class Importer
      DEFAULT_THREADS = 6 # bench/history_import_bench.rb: fewer fall behind live webhooks on a busy host
      POOL_ROLE = :waweb_history_import

      def initialize(inbox, state, store: nil, media_budget: MediaPlan::DEFAULT_BUDGET, threads: nil)
        @inbox = inbox
        @state = state
        @client = WawebNative::Inbound::GatewayAccess.client_for(inbox.channel)
        @store = store || Store.new(@client)
        @media = MediaPlan.new(used: state.media_bytes, budget: media_budget)
        @threads = threads || Integer(ENV.fetch("WAWEB_IMPORT_THREADS", DEFAULT_THREADS.to_s))
        @lock = Mutex.new
      end

      def run
        @device_id = @store.own_jid
        chats = chats_in_window
        pending = chats.reject { |chat| @state.done_through && chat["jid"] <= @state.done_through }
        @state.update_columns(chats_total: chats.size, chats_done: chats.size - pending.size, updated_at: Time.now)
        work(pending.map { |chat| chat["jid"] })
        @state.finish!
        @state
      rescue WawebNative::Gateway::Error => e
        stop(WawebNative::Outbound::Failure.sentence(e, @client.base_url))
      end

      private

      # Runs the chats on up to @threads workers; the first error stops them all and is raised here.
      def work(jids)
        queue = Queue.new
        jids.each { |jid| queue << jid }
        @finished = {}
        @order = jids
        @threads_used = worker_count(jids.size)
        workers = Array.new(@threads_used) do
          Thread.new { worker(queue) }.tap do |thread|
            thread.report_on_exception = false
            thread.name = "waweb-history-#{@inbox.id}"
          end
        end
        error = first_error(workers)
        raise error if error
      ensure
        # The job's thread stopped from outside (Sidekiq's shutdown, a kill): its workers stop with it.
        workers&.each { |thread| thread.kill.join if thread.alive? }
      end

      def first_error(workers)
        workers.map do |thread|
          thread.join
          nil
        rescue StandardError => e
          e
        end.compact.first
      end

      # One worker on databases that take one writer at a time (SQLite).
      def worker_count(chats)
        return 1 unless ::ActiveRecord::Base.connection.adapter_name.match?(/postg/i)

        [@threads, chats].min.clamp(1, nil)
      end

      def worker(queue)
        with_import_connection do
          inbox = ::Inbox.find(@inbox.id) # records are not shared between threads
          while (jid = next_jid(queue))
            import_chat(inbox, jid)
            chat_done(jid)
          end
        end
      rescue StandardError
        @lock.synchronize { @stopped = true }
        raise
      end

      # The host's pool is sized for its own threads (Chatwoot: pool = Sidekiq's concurrency):
      # the workers take their connections from a pool of the import's own, same database.
      # (A named block: Ruby 3.3 refuses an anonymous one used inside a block.)
      # rubocop:disable-next Style/ArgumentsForwarding
      def with_import_connection(&block)
        return ::ActiveRecord::Base.connection_pool.with_connection(&block) if @threads_used == 1

        import_pool
        ::ActiveRecord::Base.connected_to(role: POOL_ROLE) do
          ::ActiveRecord::Base.connection_pool.with_connection(&block)
        end
      end

      def import_pool
        @lock.synchronize do
          handler = ::ActiveRecord::Base.connection_handler
          next if handler.retrieve_connection_pool("ActiveRecord::Base", role: POOL_ROLE)

          config = ::ActiveRecord::Base.connection_db_config.configuration_hash.merge(pool: [@threads, 5].max)
          handler.establish_connection(config, owner_name: ::ActiveRecord::Base, role: POOL_ROLE)
        end
      end

      def next_jid(queue)
        return nil if @lock.synchronize { @stopped }

        queue.pop(true)
      rescue ThreadError
        nil
      end

      # done_through: the last chat of the unbroken run of finished chats from the start.
      def chat_done(jid)
        through = @lock.synchronize do
          @finished[jid] = true
          @order.take_while { |j| @finished[j] }.last
        end
        @state.chat_finished!(through)
      end

      def chats_in_window
        chats = @store.chats.filter_map do |chat|
          jid = canonical(chat["jid"])
          last = chat["last_message_time"]
          chat.merge("jid" => jid) unless jid.nil? || (last && last < @state.window_start)
        end
        chats.uniq { |chat| chat["jid"] }.sort_by { |chat| chat["jid"] }
      end

      # Chats that become conversations (users, LIDs, groups), their JIDs in canonical form.
      def canonical(value)
        jid = WawebNative::JID.parse(value.to_s)
        %i[user lid group].include?(jid.kind) ? jid.to_s : nil
      rescue WawebNative::InvalidJID
        nil
      end

      def import_chat(inbox, jid)
        rows = @store.messages(jid, from: @state.window_start, to: @state.window_end)
        held = held_ids(rows)
        context = ChatImport.new(@state, inbox, jid)
        rows.each do |row|
          row["chat_jid"] = jid
          import_message(inbox, row, context) unless held.include?(row["id"])
        end
        context.finish
      end

      # The chat's messages already in the ledger, in one query.
      def held_ids(rows)
        keys = rows.map { |row| WawebNative::Inbound::ProcessedEvent.message_key(row["id"]) }
        WawebNative::Inbound::ProcessedEvent.where(inbox_id: @inbox.id, event_key: keys).pluck(:event_key)
                                            .to_set { |key| key.delete_prefix("message:") }
      end

      def import_message(inbox, row, context)
        size = 0
        message = Quiet.run { service(inbox, message_body(row) { |bytes| size = bytes }, context).perform }
        return unless message.is_a?(::Message)

        @state.spent_media!(size) if size.positive?
        import_reactions(inbox, row)
      end

      def message_body(row)
        kind = MediaPlan.kind(row)
        return WebhookBody.message(row, device_id: @device_id) if kind.nil?

        size = row["file_length"].to_i
        note = @lock.synchronize { @media.refusal(kind, size).tap { |refused| @media.spend(size) unless refused } }
        return WebhookBody.message(row, device_id: @device_id, note: note) if note

        path = downloaded_path(row)
        if path.nil?
          @lock.synchronize { @media.spend(-size) }
          return WebhookBody.message(row, device_id: @device_id, note: MediaPlan.unavailable_note)
        end

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

      def import_reactions(inbox, row)
        Array(row["reactions"]).grep(Hash).each do |reaction|
          next if reaction["emoji"].to_s.empty?

          Quiet.run { service(inbox, WebhookBody.reaction(row, reaction, device_id: @device_id), nil).perform }
        rescue WawebNative::Inbound::TargetNotStoredYet
          nil
        end
      end

      def service(inbox, raw, context)
        ::Whatsapp::IncomingMessageWhatsappWebService.new(inbox: inbox, raw: raw, history: context)
      end

      def stop(sentence)
        @state.fail!(sentence)
        raise ImportFailed, sentence
      end
    end
  end
end

# frozen_string_literal: true

module WawebNative
  # History import: a newly connected number brings its recent conversations, once.
  # The gateway's chat store (GET /chats, GET /chat/:jid/messages, media through
  # GET /message/:id/download) is read page by page (Store); every stored message is
  # handed to the inbound path as the webhook the gateway would have sent (WebhookBody),
  # so contacts, conversations and messages are made by the same code and claimed in
  # the same ledger as live webhooks. Quiet keeps the import out of what a new message
  # sets off in Chatwoot. ImportState holds the progress and the cursor a crashed or
  # failed import resumes from; ImportJob runs it on Sidekiq (queue low).
  module History
    # An import that stopped on an error; the job retries it, resuming from its cursor.
    class ImportFailed < StandardError
      include WawebNative::Error
    end

    autoload :ImportState, File.expand_path("history/import_state", __dir__)
    autoload :ImportJob, File.expand_path("history/import_job", __dir__)

    module_function

    # Queues an import of the last `days` days for the inbox and returns its status.
    # A running import is left alone (one per inbox at a time); a failed or interrupted
    # one with the same days resumes where it stopped; otherwise a new one starts.
    def start(inbox, days:)
      days = Integer(days)
      raise ArgumentError, "days must be between 1 and 365, not #{days}" unless days.between?(1, 365)

      state = ImportState.prepare!(inbox.id, days: days)
      ImportJob.perform_later(inbox.id) if state.state == "queued"
      state.to_status
    end

    # Runs the import in this thread (rake): false when another runner holds it.
    def run_now(inbox, days:)
      ImportState.prepare!(inbox.id, days: Integer(days))
      runner = "rake:#{Process.pid}"
      return false unless ImportState.claim(inbox.id, runner) == :claimed

      Importer.new(inbox, ImportState.find_by(inbox_id: inbox.id)).run
      true
    rescue ImportFailed
      true
    end

    # {state:, chats_done:, chats_total:, messages:, started_at:, finished_at:, error:}, or nil.
    def status(inbox)
      ImportState.find_by(inbox_id: inbox.id)&.to_status
    end

    # provider_config["import_days"] (0 or absent: off): after the first successful
    # login an import of that many days starts by itself, once.
    def start_after_login(inbox)
      days = (inbox.channel.provider_config || {})["import_days"].to_i
      return nil unless days.positive? && !ImportState.exists?(inbox_id: inbox.id)

      start(inbox, days: days.clamp(1, 365))
    rescue ::ActiveRecord::RecordNotUnique
      nil # another status poll started it a moment ago
    end

    # Sidekiq loses the job of a process that was killed: requeue imports left running.
    def resume_interrupted
      ImportState.where(state: %w[queued running]).pluck(:inbox_id).each { |id| ImportJob.perform_later(id) }
    rescue ::ActiveRecord::ActiveRecordError => e # e.g. the gem's migration not run yet
      ::Rails.logger.warn("[waweb_native] history imports not resumed: #{e.class}")
    end
  end
end

require_relative "history/quiet"
require_relative "history/store"
require_relative "history/media_plan"
require_relative "history/webhook_body"
require_relative "history/chat_import"
require_relative "history/importer"

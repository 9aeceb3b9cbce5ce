# frozen_string_literal: true

require "securerandom"
require "socket"

module WawebNative
  module History
    # Runs an inbox's history import on Sidekiq (queue low). Safe to enqueue more than
    # once: only one runner holds an inbox's import (ImportState.claim); a job that
    # finds another runner alive comes back later, so an import interrupted by a
    # restart is taken over once its heartbeat is stale. An import that stops on a
    # gateway error is retried from where it stopped.
    class ImportJob < ::ActiveJob::Base
      queue_as :low
      retry_on ImportFailed, wait: 30.seconds, attempts: 3 do |_job, error|
        ::Rails.logger.warn("[waweb_native] history import gave up: #{error.message}")
      end

      def perform(inbox_id)
        inbox = ::Inbox.find_by(id: inbox_id)
        return unless inbox && WawebNative::Chatwoot.whatsapp_web?(inbox.channel)

        runner = "#{Socket.gethostname}:#{Process.pid}:#{SecureRandom.hex(4)}"
        case ImportState.claim(inbox.id, runner)
        when :claimed then Importer.new(inbox, ImportState.find_by(inbox_id: inbox.id)).run
        when :busy then self.class.set(wait: ImportState::STALE_AFTER).perform_later(inbox.id)
        end
      end
    end
  end
end

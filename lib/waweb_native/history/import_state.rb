# frozen_string_literal: true

module WawebNative
  module History
    # One row per inbox (waweb_history_imports): where its import stands and where it
    # resumes. Chats are taken in JID order; `done_through` is the last of the chats
    # finished without a gap before it, so a restarted import skips those and redoes
    # the others, whose messages already made are skipped by the ledger. `runner` and `heartbeat_at` make one
    # import per inbox at a time: a runner that stops beating for STALE_AFTER seconds
    # (a killed process) can be taken over.
    class ImportState < ::ActiveRecord::Base
      self.table_name = "waweb_history_imports"

      STALE_AFTER = 300
      ACTIVE = %w[queued running].freeze

      # The row for a new or resumed import, state "queued"; a live one is returned as it is.
      def self.prepare!(inbox_id, days:, now: Time.now)
        state = find_or_initialize_by(inbox_id: inbox_id)
        return state if state.live?(now)

        state.restart(days, now) unless state.resumable?(days)
        state.update!(state: "queued", error: nil, finished_at: nil)
        state
      end

      # :claimed (this runner now holds it), :busy (another runner is alive) or :idle (nothing to run).
      def self.claim(inbox_id, runner, now: Time.now)
        row = find_by(inbox_id: inbox_id)
        return :idle if row.nil? || !(ACTIVE + ["failed"]).include?(row.state)

        taken = where(id: row.id, state: ACTIVE + ["failed"])
                .where("runner IS NULL OR heartbeat_at IS NULL OR heartbeat_at < ?", now - STALE_AFTER)
                .update_all(runner: runner, heartbeat_at: now, state: "running", error: nil, finished_at: nil)
        taken == 1 ? :claimed : :busy
      end

      # Queued, or running with a fresh heartbeat.
      def live?(now = Time.now)
        persisted? && (state == "queued" || (state == "running" && !stale?(now)))
      end

      def stale?(now = Time.now)
        heartbeat_at.nil? || heartbeat_at < now - STALE_AFTER
      end

      # A failed or interrupted import of the same days goes on from its cursor.
      def resumable?(wanted_days)
        persisted? && %w[failed running].include?(state) && days == wanted_days
      end

      def restart(days, now)
        assign_attributes(days: days, window_start: now - (days * 86_400), window_end: now, chats_done: 0,
                          chats_total: nil, messages: 0, media_bytes: 0, done_through: nil, runner: nil,
                          heartbeat_at: nil, started_at: now, finished_at: nil, error: nil)
      end

      # One more message made (also the runner's heartbeat).
      def count_message!
        now = Time.now
        self.class.where(id: id).update_all(["messages = messages + 1, heartbeat_at = ?, updated_at = ?", now, now])
      end

      def spent_media!(bytes)
        self.class.where(id: id).update_all(["media_bytes = media_bytes + ?", bytes.to_i])
      end

      # A chat is done; done_through moves to the end of the run of chats done in order
      # (chats run side by side can finish out of order).
      def chat_finished!(done_through)
        now = Time.now
        changes = ["chats_done = chats_done + 1, heartbeat_at = ?, updated_at = ?", now, now]
        if done_through
          changes[0] += ", done_through = ?"
          changes << done_through
        end
        self.class.where(id: id).update_all(changes)
      end

      def finish!
        update_columns(state: "done", runner: nil, finished_at: Time.now, error: nil, updated_at: Time.now)
      end

      def fail!(sentence)
        update_columns(state: "failed", runner: nil, error: sentence.to_s[0, 500], updated_at: Time.now)
      end

      def to_status
        { state: state, chats_done: chats_done, chats_total: chats_total, messages: messages,
          started_at: started_at&.utc&.iso8601, finished_at: finished_at&.utc&.iso8601, error: error }
      end
    end
  end
end

# frozen_string_literal: true

module WawebNative
  module History
    # While an import makes records in this thread, Chatwoot must not react to them as
    # to new messages: no event on its dispatcher (agent notifications, automation
    # rules, outgoing webhooks and integrations, CSAT, reports, live updates), none of
    # Message's after-create work (reopening the conversation, sending, greeting and
    # out-of-office replies) and no auto-assignment. The hooks in
    # WawebNative::Chatwoot::QuietHistoryImport ask `active?`. Thread- (fiber-) local:
    # live webhooks processed by other Sidekiq threads at the same time are not affected.
    module Quiet
      KEY = :waweb_native_history_quiet

      module_function

      def run
        previous = Thread.current[KEY]
        Thread.current[KEY] = true
        yield
      ensure
        Thread.current[KEY] = previous
      end

      def active?
        Thread.current[KEY] == true
      end
    end
  end
end

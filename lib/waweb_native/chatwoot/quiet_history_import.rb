# frozen_string_literal: true

module WawebNative
  module Chatwoot
    # Keeps a history import quiet (WawebNative::History::Quiet), at the three places
    # where Chatwoot 4.9.1 reacts to a new record:
    # - Dispatcher#dispatch: every listener hangs off it: NotificationListener
    #   (conversation_created, message_created), AutomationRuleListener, WebhookListener
    #   and HookListener (outgoing webhooks, integrations), CsatSurveyListener
    #   (conversation_status_changed), ReportingEventListener, ActionCable;
    # - Message#execute_after_create_commit_callbacks: reopening a resolved or snoozed
    #   conversation, SendReplyJob, greeting and out-of-office replies, contact activity
    #   (the import sets the conversation's last activity once per chat instead);
    # - Conversation#run_auto_assignment (after_save): round-robin assignment.
    module QuietHistoryImport
      module Dispatcher
        def dispatch(*)
          return nil if WawebNative::History::Quiet.active?

          super
        end
      end

      module Message
        private

        def execute_after_create_commit_callbacks
          super unless WawebNative::History::Quiet.active?
        end
      end

      module Conversation
        private

        def run_auto_assignment
          super unless WawebNative::History::Quiet.active?
        end
      end
    end
  end
end

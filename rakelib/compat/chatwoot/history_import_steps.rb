# frozen_string_literal: true

module Compat
  module Chatwoot
    # A history import into inbox B (the second number) through the management API, on real
    # Chatwoot's Sidekiq: the gateway's stored messages become messages at their WhatsApp
    # times, and Chatwoot does not react to them as if they were new: no notification, no
    # account webhook, no dispatcher or reply job, no auto-assignment, and a resolved
    # conversation stays resolved (a Scenario mixin; after SecondNumberSteps).
    module HistoryImportSteps # rubocop:disable Metrics/ModuleLength -- one import: its control, run and four checks
      HOOK_PATH = "/chatwoot-account-webhook"
      NEW_CHAT = "628555000333@s.whatsapp.net"
      # Chatwoot jobs an imported message must not start (the Sidekiq log's job classes).
      LOUD_JOBS = %w[SendReplyJob WebhookJob Conversations::ActivityMessageJob].freeze
      # Chatwoot events it must not dispatch or broadcast: new messages, conversations (created,
      # opened, assigned, updated), contacts created, notifications. An imported contact's avatar
      # (contact.updated, from WhatsappWeb::ContactAvatarJob) is a real change and may be.
      LOUD_EVENTS = /\s(message|conversation|assignee|notification|first\.reply|contact\.created)\b/

      private

      def history_import
        t.section("History import (inbox B, POST .../whatsapp_web/import)")
        t.step("an account webhook and a live message: Chatwoot reacts (the control)") { import_control }
        t.step("POST .../whatsapp_web/import runs the import on Sidekiq") { run_import }
        t.step("the stored messages, at their WhatsApp times") { imported_messages }
        t.step("quiet: 0 notifications, 0 webhooks, 0 sends, no message or conversation events") { import_was_quiet }
        t.step("conversations: the resolved one stays resolved, the new one resolved, unassigned") do
          imported_conversations
        end
      end

      def hook_calls = gateway.requests.count { |r| r.path == HOOK_PATH }

      def import_control
        t.check(inbox_b, "no inbox B")
        probe.call("add_webhook", @account_id, "#{gateway.url}#{HOOK_PATH}",
                   %w[conversation_created conversation_status_changed message_created contact_created])
        before = hook_calls
        gateway.deliver_event(@gateway_b["device_id"], "message", b_payload("3EBB0004", "Live, before the import"))
        m = wait_for("message 3EBB0004") { probe.call("message", inbox_b, "3EBB0004") }
        wait_for("Chatwoot's webhook for the live message") { hook_calls > before }
        conversation = m["conversation_id"]
        code = request(:post, "#{host}/api/v1/accounts/#{@account_id}/conversations/#{conversation}/toggle_status",
                       headers: admin_headers, json: { status: "resolved" }).code
        t.check(code == "200", "resolving: HTTP #{code}")
        @resolved_before = conversation
        "a live message: #{hook_calls - before} webhook POST(s); its conversation #{conversation} resolved by the agent"
      end

      def store_history
        day = 86_400
        now = Time.at(Time.now.to_i).utc
        @stored = [
          [SecondNumberSteps::CUSTOMER_B, "3EBH0001", now - (2 * day), "Older message from Bea", false],
          [SecondNumberSteps::CUSTOMER_B, "3EBH0002", now - (2 * day) + 60, "Our older answer", true],
          [NEW_CHAT, "3EBH0003", now - (3 * day), "Hello from three days ago", false],
          [NEW_CHAT, "3EBH0004", now - (3 * day) + 120, "We replied from the phone", true],
          [NEW_CHAT, "3EBH0005", now - (2 * day) - 3600, "Thanks!", false]
        ]
        gateway.store_chat(NEW_CHAT, name: "Carla")
        @stored.each do |chat, id, at, text, from_me|
          gateway.store_message(chat, id: id, timestamp: at, content: text, is_from_me: from_me,
                                      sender_display_name: from_me ? nil : "Carla")
        end
      end

      def sidekiq_log = @sidekiq_log ||= SidekiqLog.new(services.log_path("sidekiq.log"))
      def sends = gateway.requests.count { |r| r.path.start_with?("/send/") }

      # What the quiet checks compare with, once the earlier steps' jobs are done.
      def before_import
        sidekiq_log.settle
        { log: sidekiq_log.size, hooks: hook_calls, sends: sends,
          notifications: probe.call("notification_count", @account_id) }
      end

      def import_finished
        wait_for("the import to finish", timeout: 120) do
          s = probe.call("import_state", inbox_b)
          raise StepFailed, "import failed: #{s['error']}" if s && s["state"] == "failed"

          s && s["state"] == "done" ? s : nil
        end
      end

      def run_import
        store_history
        @before_import = before_import
        url = "#{host}/api/v1/accounts/#{@account_id}/inboxes/#{inbox_b}/whatsapp_web/import"
        answer = json(request(:post, url, headers: admin_headers, json: { days: 7 }))
        t.check(%w[queued running].include?(answer.dig("import", "state")), "answer #{answer.inspect[0, 200]}")
        state = import_finished
        sleep 3 # anything the import would have queued has had its time to run
        @jobs_during_import = sidekiq_log.performed_since(@before_import[:log])
        @events_during_import = sidekiq_log.events_since(@before_import[:log])
        "state done: #{state['messages']} messages from #{state['chats_done']} chats"
      end

      def check_imported(chat, id, text, from_me)
        m = probe.call("message", inbox_b, id)
        t.check(m, "#{id} not imported")
        t.check(m["content"] == text, "#{id} content #{m['content'].inspect}")
        t.check(m["message_type"] == (from_me ? "outgoing" : "incoming"), "#{id} is #{m['message_type']}")
        t.check(m["contact_inbox_source_id"].to_s.delete("^0-9") == chat.split("@").first, "#{id} in the wrong chat")
      end

      # {source id => created_at} of the imported chats' messages.
      def created_times
        conversations = @stored.map(&:first).uniq.flat_map { |chat| probe.call("chat_conversations", inbox_b, chat) }
        conversations.flat_map { |c| c["messages"] }.to_h { |m| [m["source_id"], m["created_at"]] }
      end

      def imported_messages
        @stored.each { |chat, id, _at, text, from_me| check_imported(chat, id, text, from_me) }
        times = created_times
        wrong = @stored.reject { |_, id, at, *| times[id] == at.iso8601 }
        t.check(wrong.empty?, "times #{wrong.map { |_, id, at, *| "#{id}: #{times[id]}, sent #{at.iso8601}" }}")
        "#{@stored.size} messages (incoming and from the phone), each created_at = its WhatsApp timestamp"
      end

      def import_was_quiet
        notifications = probe.call("notification_count", @account_id) - @before_import[:notifications]
        t.check(notifications.zero?, "#{notifications} notification(s)")
        t.check(hook_calls == @before_import[:hooks], "#{hook_calls - @before_import[:hooks]} account webhook POST(s)")
        t.check(sends == @before_import[:sends], "#{sends - @before_import[:sends]} send(s) to WhatsApp")
        loud_jobs_absent
        "Sidekiq performed #{@jobs_during_import.sort.to_h}; events #{@events_during_import.sort.to_h}"
      end

      def loud_jobs_absent
        events = @events_during_import.select { |e, _| e.match?(LOUD_EVENTS) }
        loud = @jobs_during_import.slice(*LOUD_JOBS).merge(events)
        t.check(loud.empty?, "Sidekiq performed #{loud}")
      end

      def resolved_stays_resolved
        old = probe.call("chat_conversations", inbox_b, SecondNumberSteps::CUSTOMER_B)
        was = old.find { |c| c["id"] == @resolved_before }
        t.check(was && was["status"] == "resolved", "conversation #{@resolved_before}: #{was&.except('messages')}")
        t.check(old.all? { |c| c["status"] == "resolved" }, "B's customer: #{old.map { |c| [c['id'], c['status']] }}")
      end

      def imported_conversations
        resolved_stays_resolved
        fresh = probe.call("chat_conversations", inbox_b, NEW_CHAT)
        t.check(fresh.size == 1, "#{fresh.size} conversations for the new chat")
        c = fresh.first
        t.check(c["status"] == "resolved" && c["assignee_id"].nil?, "new chat's conversation: #{c.except('messages')}")
        newest = @stored.select { |chat, *| chat == NEW_CHAT }.map { |_, _, at, *| at }.max
        t.check(c["last_activity_at"] == newest.iso8601, "last_activity_at #{c['last_activity_at']}")
        "#{@resolved_before} still resolved; #{c['id']} resolved, unassigned, last activity #{c['last_activity_at']}"
      end
    end
  end
end

# frozen_string_literal: true

require_relative "history_helper"

# Exactly once against live webhooks at the same moment, a crash in the middle, a
# gateway failing mid-page, one import per inbox at a time.
RSpec.describe "History import under stress", :history do
  def fill_store(chats:, per_chat:, age: 3600)
    Array.new(chats) do |c|
      jid = "62813#{format('%08d', c)}@s.whatsapp.net"
      Array.new(per_chat) do |i|
        gateway.store_message(jid, id: "S#{c}-#{i}", timestamp: ago(age - i), content: "chat #{c} message #{i}")
      end
    end.flatten
  end

  def live_body(row)
    live_text(id: row[:id], from: row[:chat_jid], body: row[:content]).sub(
      "2026-08-01T10:00:00Z", row[:timestamp]
    )
  end

  def expect_each_once(rows)
    expect(Message.where(inbox_id: history_inbox.id).group(:source_id).count).to eq(rows.to_h { |row| [row[:id], 1] })
    expect(WawebNative::Inbound::ProcessedEvent.where(inbox_id: history_inbox.id).count).to eq(rows.size)
  end

  context "with committed records and real threads", :truncation do
    it "a webhook racing the import: each message once, one conversation per chat (PostgreSQL)" do
      skip "needs PostgreSQL's row locks" unless HostDatabase.postgresql?

      rows = fill_store(chats: 4, per_chat: 60)
      inbox_id = history_inbox.id
      importer = Thread.new do
        ActiveRecord::Base.connection_pool.with_connection { import!(Inbox.find(inbox_id)) }
      end
      live_made = Concurrent::AtomicFixnum.new(0)
      webhooks = Array.new(2) do |t|
        Thread.new do
          ActiveRecord::Base.connection_pool.with_connection do
            inbox = Inbox.find(inbox_id)
            rows.shuffle(random: Random.new(t)).each do |row|
              made = Whatsapp::IncomingMessageWhatsappWebService.new(inbox: inbox, raw: live_body(row)).perform
              live_made.increment if made.is_a?(Message)
            end
          end
        end
      end
      [importer, *webhooks].each(&:join)

      expect_each_once(rows)
      expect(Conversation.count).to eq(4)
      expect(Contact.count).to eq(4)
      state = import_state
      expect(state.state).to eq("done")
      expect(state.messages + live_made.value).to eq(rows.size)
      expect(live_made.value).to be_positive # the webhooks did race the import
    end

    it "a crash in the middle, then the job resumes after the chats it finished; nothing twice, nothing lost" do
      rows = fill_store(chats: 24, per_chat: 10)
      inbox_id = history_inbox.id
      WawebNative::History::ImportState.prepare!(inbox_id, days: 7)
      crashing = Thread.new do
        ActiveRecord::Base.connection_pool.with_connection { WawebNative::History::ImportJob.perform_now(inbox_id) }
      end
      sleep 0.01 until Message.count >= 120 || !crashing.alive?
      crashing.kill.join # the process dies: no rescue, no "failed" state; its workers stop with it
      expect(Thread.list.map(&:name)).not_to include("waweb-history-#{inbox_id}")
      crashed_at = Message.count
      expect(crashed_at).to be_between(120, 239)
      state = import_state
      expect([state.state, state.messages]).to eq(["running", crashed_at])
      expect(state.done_through).not_to be_nil

      # A restarted Sidekiq runs the job again: while the dead runner's heartbeat is fresh it waits...
      WawebNative::History::ImportJob.perform_now(inbox_id)
      expect(Message.count).to eq(crashed_at)
      expect(Sidekiq::ScheduledSet.new.map { |job| job.item["wrapped"] }).to eq(["WawebNative::History::ImportJob"])

      # ...and once the heartbeat is older than STALE_AFTER, takes over where it stopped.
      state.update_columns(heartbeat_at: Time.now - WawebNative::History::ImportState::STALE_AFTER - 1)
      WawebNative::History::ImportJob.perform_now(inbox_id)

      expect_each_once(rows)
      expect(import_state.to_status).to include(state: "done", chats_done: 24, chats_total: 24, messages: 240)
      # Chats finished in order before the crash were read once; the others at most twice.
      fetched = gateway.requests.select { |r| r.path.end_with?("/messages") }.map { |r| r.path.split("/")[2] }.tally
      expect(fetched.size).to eq(24)
      fetched.each { |jid, times| expect(times).to eq(jid <= state.done_through ? 1 : times.clamp(1, 2)) }
    end
  end

  it "a gateway failing mid-page: retried; still failing, the import stops with a sentence and resumes later" do
    rows = fill_store(chats: 2, per_chat: 150)
    second_chat = rows.last[:chat_jid]
    gateway.fail_messages_page(second_chat, offset: 100, times: 1)
    import!
    expect(import_state.state).to eq("done") # one 500 is asked again
    expect(Message.count).to eq(300)

    Message.delete_all
    WawebNative::Inbound::ProcessedEvent.delete_all
    gateway.fail_messages_page(second_chat, offset: 100, times: 5)
    expect { import! }.to raise_error(WawebNative::History::ImportFailed)
    state = import_state
    expect(state.to_status).to include(state: "failed", chats_done: 1, messages: 150)
    expect(state.error).to include("gateway")
    expect(Message.count).to eq(150)

    import! # the operator (or the job's retry) runs it again: it resumes at the second chat
    expect(import_state.to_status).to include(state: "done", chats_done: 2, messages: 300, error: nil)
    expect_each_once(rows)
  end

  it "at Sidekiq's start, imports left queued or running get their job again" do
    WawebNative::History::ImportState.prepare!(history_inbox.id, days: 7)
    WawebNative::History::ImportState.claim(history_inbox.id, "a process that died")
    WawebNative::History.resume_interrupted
    expect(sidekiq_jobs("low").map { |job| job["wrapped"] }).to eq(["WawebNative::History::ImportJob"])
  end

  it "one import per inbox at a time" do
    fill_store(chats: 1, per_chat: 3)
    WawebNative::History::ImportState.prepare!(history_inbox.id, days: 7)
    expect(WawebNative::History::ImportState.claim(history_inbox.id, "first")).to eq(:claimed)
    expect(WawebNative::History::ImportState.claim(history_inbox.id, "second")).to eq(:busy)
    expect(WawebNative.import_history(history_inbox, days: 7)).to include(state: "running")
    expect(sidekiq_jobs("low")).to be_empty
    expect(WawebNative::History.run_now(history_inbox, days: 7)).to be(false)
    expect(Message.count).to eq(0)
  end
end

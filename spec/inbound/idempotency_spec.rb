# frozen_string_literal: true

require_relative "inbound_helper"

# One message per event, guaranteed by the database (the waweb_processed_events ledger's
# unique index), whether the duplicate comes later or at the same moment.
RSpec.describe "Inbound idempotency", :inbound do
  let(:body) { InboundBodies }

  def perform(inbox_id, raw)
    ActiveRecord::Base.connection_pool.with_connection do
      Whatsapp::IncomingMessageWhatsappWebService.new(inbox: Inbox.find(inbox_id), raw: raw).perform
    end
  end

  # Runs the block in `count` threads released together; returns their errors.
  def at_once(count)
    gate = Concurrent::CountDownLatch.new(1)
    errors = Concurrent::Array.new
    threads = Array.new(count) do |i|
      Thread.new do
        gate.wait
        yield i
      rescue StandardError => e
        errors << e
      end
    end
    gate.count_down
    threads.each(&:join)
    errors
  end

  it "the same event delivered twice yields one message (and one of everything else)" do
    inbox = create_web_inbox
    2.times { deliver(inbox, fixture("v8/text.json")) }
    expect(record_counts).to include(contacts: 1, conversations: 1, messages: 1)
    expect(WawebNative::Inbound::ProcessedEvent.where(inbox_id: inbox.id).pluck(:event_key, :message_id))
      .to eq([["message:3EB0A1", Message.sole.id]])
  end

  it "a duplicated group event leaves one activity message" do
    inbox = create_web_inbox
    deliver(inbox, fixture("v8/group_text.json"))
    2.times { deliver(inbox, fixture("v8/group_participants_leave.json")) }
    expect(Message.activity.count).to eq(1)
  end

  it "the ledger itself refuses a second row for the same (inbox, event)" do
    WawebNative::Inbound::ProcessedEvent.create!(inbox_id: 1, event_key: "message:X", created_at: Time.now)
    expect do
      WawebNative::Inbound::ProcessedEvent.transaction(requires_new: true) do
        WawebNative::Inbound::ProcessedEvent.create!(inbox_id: 1, event_key: "message:X", created_at: Time.now)
      end
    end.to raise_error(ActiveRecord::RecordNotUnique)
  end

  it "prunes ledger rows older than the gateway could still retry" do
    ledger = WawebNative::Inbound::ProcessedEvent
    ledger.create!(inbox_id: -7, event_key: "old", created_at: Time.now - (40 * 24 * 3600))
    ledger.create!(inbox_id: -7, event_key: "new", created_at: Time.now)
    ledger.prune
    expect(ledger.where(inbox_id: -7).pluck(:event_key)).to eq(["new"])
  end

  it "takes the body as params: (String), raw: or Chatwoot's params Hash alike" do
    inbox = create_web_inbox
    raw = fixture("v8/text.json")
    Whatsapp::IncomingMessageWhatsappWebService.new(inbox: inbox, params: raw).perform
    Whatsapp::IncomingMessageWhatsappWebService.new(inbox: inbox, raw: raw).perform
    hash = JSON.parse(raw).merge("phone_number" => inbox.channel.phone_number, "controller" => "webhooks/whatsapp")
    Whatsapp::IncomingMessageWhatsappWebService.new(inbox: inbox, params: hash.deep_symbolize_keys).perform
    expect(Message.pluck(:source_id)).to eq(["3EB0A1"])
  end

  it "a uniqueness race that outlasts the retries fails the job instead of dropping the event" do
    ledger = WawebNative::Inbound::ProcessedEvent
    attempts = 0
    expect do
      ledger.claim(-8, "message:STUCK") do
        attempts += 1
        raise ActiveRecord::RecordNotUnique, "duplicate key value violates unique constraint \"elsewhere\""
      end
    end.to raise_error(ActiveRecord::RecordNotUnique)
    expect(attempts).to eq(ledger::MAX_ATTEMPTS)
    expect(ledger.processed?(-8, "message:STUCK")).to be(false) # nothing claimed: the retry can make it
  end

  context "with committed records and real threads", :truncation do
    let!(:inbox) { create_web_inbox }

    it "the same events processed by two threads at the same moment yield one message each" do
      raws = Array.new(8) { |i| body.text(id: "RACE#{i}", from: "5511987654321@s.whatsapp.net", body: "m#{i}") }
      raws.each do |raw|
        expect(at_once(2) { perform(inbox.id, raw) }).to be_empty
      end
      expect(Message.group(:source_id).count.values).to all(eq(1))
      expect(Message.count).to eq(8)
      expect([Contact.count, Conversation.count]).to eq([1, 1])
    end

    it "different messages of one new contact at the same moment share one contact and one conversation" do
      raws = Array.new(4) { |i| body.text(id: "NEW#{i}", from: "628777777777@s.whatsapp.net", from_lid: "42@lid") }
      expect(at_once(4) { |i| perform(inbox.id, raws[i]) }).to be_empty
      expect(Message.count).to eq(4)
      expect([Contact.count, Conversation.count]).to eq([1, 1])
      expect(ContactInbox.pluck(:source_id)).to contain_exactly("628777777777", "42@lid")
    end

    it "messages of many new contacts at the same moment each open their own conversation" do
      raws = Array.new(12) { |i| body.text(id: "MANY#{i}", from: "62812000000#{format('%02d', i)}@s.whatsapp.net") }
      expect(at_once(12) { |i| perform(inbox.id, raws[i]) }).to be_empty
      expect(Message.count).to eq(12)
      expect(Conversation.distinct.count(:display_id)).to eq(12)
    end

    it "a duplicate webhook picked up by two Sidekiq threads yields one message" do
      2.times { expect(post_webhook(inbox, fixture("v8/text.json")).status).to eq(200) }
      expect(events_queue_jobs.size).to eq(2)
      with_sidekiq_workers(threads: 2) { wait_for_sidekiq_idle }
      expect(sidekiq_worker_errors).to be_empty
      expect(Message.where(source_id: "3EB0A1").count).to eq(1)
    end
  end
end

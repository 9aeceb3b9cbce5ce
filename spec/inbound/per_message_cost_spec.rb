# frozen_string_literal: true

require_relative "inbound_helper"

# What one webhook costs Chatwoot's Sidekiq, found with the real-Chatwoot benchmark
# (rake compat:chatwoot, WAWEB_COMPAT_BENCH=1): the job loaded the channel, inbox,
# account and contact it already had a second time, and asked the ledger before
# claiming in it. And where it waits: Chatwoot's Sidekiq takes queues in strict order.
RSpec.describe "The per-message cost of a webhook", :inbound do
  let(:body) { InboundBodies }
  let(:ana) { "628123456789@s.whatsapp.net" }

  # {"Contact Load" => 1, ...}: the queries the block ran, by Rails' name.
  def queries(&)
    names = Hash.new(0)
    counter = ->(*, payload) { names[payload[:cached] ? "CACHE" : payload[:name].to_s] += 1 }
    ActiveSupport::Notifications.subscribed(counter, "sql.active_record", &)
    names
  end

  describe "queries of a text from a contact already known" do
    let(:inbox) { create_web_inbox }

    before { deliver(inbox, body.text(id: "K1", from: ana, name: "Ana")) }

    it "loads the channel, inbox, account and contact once each" do
      expect(post_webhook(inbox, body.text(id: "K2", from: ana, name: "Ana")).status).to eq(200)
      ran = queries { drain_sidekiq }
      expect(Message.where(source_id: "K2").count).to eq(1)
      expect(ran.slice("Channel::Whatsapp Load", "Inbox Load", "Account Load", "Contact Load"))
        .to eq("Channel::Whatsapp Load" => 1, "Inbox Load" => 1, "Account Load" => 1, "Contact Load" => 1)
    end

    it "claims the event in the ledger without asking first; a redelivery stops at the claim, no query failing" do
      raw = body.text(id: "K3", from: ana, name: "Ana")
      ran = queries { deliver(inbox, raw) }
      expect(ran).not_to have_key("WawebNative::Inbound::ProcessedEvent Exists?")
      expect(ran["WawebNative::Inbound::ProcessedEvent Insert"]).to eq(1)
      before = record_counts
      failed = []
      watch = ->(*, payload) { failed << payload[:sql] if payload[:exception] }
      again = ActiveSupport::Notifications.subscribed(watch, "sql.active_record") { queries { deliver(inbox, raw) } }
      expect(failed).to eq([]) # no unique violation for PostgreSQL to log
      expect(again["WawebNative::Inbound::ProcessedEvent Insert"]).to eq(1)
      expect(again.keys.grep(/\AContactInbox |\AMessage /)).to eq([]) # the message's work never started
      expect(record_counts).to eq(before)
      expect(WawebNative::Inbound::ProcessedEvent.where(event_key: "message:K3").pluck(:message_id))
        .to eq([Message.find_by!(source_id: "K3").id])
    end

    it "gives Chatwoot's callbacks the message's conversation with its inbox and contact in hand" do
      seen = nil
      hook = lambda do |message|
        seen = %i[inbox contact contact_inbox].map { |name| message.conversation.association(name).loaded? }
      end
      Message.after_create_commit(hook)
      deliver(inbox, body.text(id: "K4", from: ana, name: "Ana"))
      expect(seen).to eq([true, true, true])
      conversation = Message.find_by!(source_id: "K4").conversation
      expect([conversation.contact.name, conversation.contact_inbox.source_id]).to eq(%w[Ana 628123456789])
    ensure
      Message.skip_callback(:commit, :after, hook)
    end
  end

  describe "a redelivered media message" do
    let(:gateway) { FakeGateway.start }
    let(:inbox) { create_web_inbox(gateway: gateway) }
    let(:pdf) { "%PDF-1.4\n#{'x' * 200}\n%%EOF\n".b }

    after { gateway.stop }

    it "is not downloaded again: the ledger is asked before the download" do
      gateway.add_downloadable("3EB0B8", ana, "1785578400-invoice.pdf", pdf)
      2.times { deliver(inbox, fixture("v8/document_url.json")) }
      expect(gateway.requests.count { |r| r.path.end_with?("/download") }).to eq(1)
      expect(Message.count).to eq(1)
    end
  end

  describe "queues" do
    let(:inbox) { create_web_inbox }

    around do |example|
      saved = ENV.fetch("WAWEB_EVENTS_QUEUE", nil)
      example.run
    ensure
      saved.nil? ? ENV.delete("WAWEB_EVENTS_QUEUE") : ENV["WAWEB_EVENTS_QUEUE"] = saved
    end

    it "files webhooks on `default`, where Chatwoot files its live channels' messages, not behind `low`" do
      ENV.delete("WAWEB_EVENTS_QUEUE")
      post_webhook(inbox, body.text(id: "Q1", from: ana))
      expect(sidekiq_queue_sizes.select { |_, size| size.positive? }).to eq("default" => 1)
      expect(sidekiq_jobs("default").map { |job| job["wrapped"] }).to eq(["Webhooks::WhatsappWebEventsJob"])
    end

    it "files them where WAWEB_EVENTS_QUEUE says, read at each webhook" do
      ENV["WAWEB_EVENTS_QUEUE"] = "low"
      post_webhook(inbox, body.text(id: "Q2", from: ana))
      ENV["WAWEB_EVENTS_QUEUE"] = " critical "
      post_webhook(inbox, body.text(id: "Q3", from: ana))
      expect(sidekiq_queue_sizes.select { |_, size| size.positive? }).to eq("critical" => 1, "low" => 1)
      drain_sidekiq
      expect(Message.where(source_id: %w[Q2 Q3]).count).to eq(2)
    end

    it "falls back to `default`, saying so, when WAWEB_EVENTS_QUEUE is no queue name" do
      ENV["WAWEB_EVENTS_QUEUE"] = "low; FLUSHALL"
      log = log_lines { expect(post_webhook(inbox, body.text(id: "Q4", from: ana)).status).to eq(200) }
      expect(sidekiq_queue_sizes.select { |_, size| size.positive? }).to eq("default" => 1)
      expect(log).to include('WAWEB_EVENTS_QUEUE="low; FLUSHALL" is not a queue name')
    end

    it "runs a contact's picture on `purgable`, after the messages, as Chatwoot's own avatar job" do
      ENV.delete("WAWEB_EVENTS_QUEUE")
      post_webhook(inbox, body.text(id: "Q5", from: ana))
      sidekiq_processor.send(:process, pop_sidekiq_job(%w[default]))
      expect(sidekiq_jobs("purgable").map { |job| job["wrapped"] }).to eq(["WhatsappWeb::ContactAvatarJob"])
      expect(sidekiq_jobs("low")).to be_empty
    end
  end
end

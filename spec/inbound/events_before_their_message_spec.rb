# frozen_string_literal: true

require_relative "inbound_helper"

# Two Sidekiq threads may take a message and its receipt (or reaction) in either order:
# such an event waits for its message through the job's retries instead of being lost.
RSpec.describe "Inbound events that arrive before their message", :inbound do
  let(:gateway) { FakeGateway.start }
  let(:inbox) { create_web_inbox(gateway: gateway) }
  let(:body) { InboundBodies }

  after { gateway.stop }

  # POSTs signed and runs the job once, without promoting the retry it schedules.
  def deliver_without_retries(body_text)
    expect(post_webhook(inbox, body_text).status).to eq(200)
    drain_sidekiq(scheduled: false)
  end

  def scheduled_retries
    Sidekiq::ScheduledSet.new.map { |job| job["wrapped"] || job["class"] }
  end

  it "applies a read receipt that came before its message once the message is stored" do
    deliver_without_retries(body.ack(["3EB0A1"], "read"))
    expect(scheduled_retries).to eq(["Webhooks::WhatsappWebEventsJob"])

    deliver(inbox, fixture("v8/text.json")) # also runs the scheduled retry
    expect(Message.sole.status).to eq("read")
    expect(Sidekiq::ScheduledSet.new.size).to eq(0)
  end

  it "applies the stored ids of a receipt at once and retries only for the missing ones" do
    deliver(inbox, fixture("v8/text.json"))
    deliver_without_retries(body.ack(%w[3EB0A1 3EB0ZZ], "delivered"))
    expect(Message.sole.status).to eq("delivered")
    expect(scheduled_retries).to eq(["Webhooks::WhatsappWebEventsJob"])
  end

  it "applies a reaction that came before its message" do
    deliver_without_retries(fixture("v8/reaction.json"))
    deliver(inbox, fixture("v8/text.json"))
    expect(Message.incoming.sole.content_attributes["reactions"].values).to eq(["👍"])
  end

  it "lets an event go, with a log line, when its message never comes" do
    lines = log_lines { deliver(inbox, body.ack(["3EB0NEVER"], "read")) }
    expect(lines).to include("dropped an event: message 3EB0NEVER is not stored yet after 4 attempts")
    expect(Sidekiq::ScheduledSet.new.size + Sidekiq::RetrySet.new.size).to eq(0)
    expect(Message.count).to eq(0)
  end
end

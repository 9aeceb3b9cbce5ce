# frozen_string_literal: true

require_relative "history_helper"

# What a new message sets off in Chatwoot (agent notifications, automation rules,
# outgoing webhooks and everything else on the dispatcher, reopening, sending, CSAT)
# must not happen for imported history. The host reproduces the triggers: the
# dispatcher with NotificationListener and AutomationRuleListener.
RSpec.describe "History import stays quiet", :history do
  let(:customer) { "6281234567890@s.whatsapp.net" }
  let(:agent) { create_user }

  before do
    InboxMember.create!(inbox: history_inbox, user: agent)
    %w[message_created conversation_created].each do |event|
      AutomationRule.create!(account: history_inbox.account, name: event, event_name: event)
    end
  end

  it "a live webhook notifies the agent and runs the rules (the control)" do
    deliver(history_inbox, live_text(id: "LIVE", from: customer, body: "live"))
    expect(Notification.where(user: agent).pluck(:notification_type))
      .to match_array(%w[conversation_creation participating_conversation_new_message])
    expect(AutomationRule.sum(:runs)).to eq(2)
  end

  it "an import through the job (queue low) makes no notification, no automation run, no event, no send" do
    gateway.store_message(customer, id: "I1", timestamp: ago(3600), content: "hello")
    gateway.store_message(customer, id: "I2", timestamp: ago(3500), content: "typed on the phone", is_from_me: true)
    gateway.store_message("120363025246125486@g.us", id: "I3", timestamp: ago(3 * 86_400), content: "group",
                                                     sender_jid: "6281111111111@s.whatsapp.net")

    status = WawebNative.import_history(history_inbox, days: 7)
    expect(status).to include(state: "queued")
    expect(sidekiq_jobs("low").map { |job| job["wrapped"] }).to eq(["WawebNative::History::ImportJob"])
    ran = drain_sidekiq.map { |job| job["wrapped"] }

    expect(ran).to include("WawebNative::History::ImportJob")
    expect(ran).not_to include("EventDispatcherJob", "SendReplyJob")
    expect(Message.count).to eq(3)
    expect(Notification.count).to eq(0)
    expect(AutomationRule.sum(:runs)).to eq(0)
    expect(Message.find_by(source_id: "I3").conversation).to be_resolved
  end

  it "does not reopen a resolved conversation the imported messages join" do
    inbox = history_inbox
    inbox.update!(lock_to_single_conversation: true)
    deliver(inbox, live_text(id: "BEFORE", from: customer, body: "earlier"))
    Conversation.sole.update!(status: :resolved)
    Notification.delete_all
    AutomationRule.update_all(runs: 0)
    gateway.store_message(customer, id: "AFTER", timestamp: ago(60), content: "new on the phone")

    import!
    drain_sidekiq

    expect(Conversation.sole.reload).to be_resolved
    expect(Conversation.sole.messages.pluck(:source_id)).to match_array(%w[BEFORE AFTER])
    expect([Notification.count, AutomationRule.sum(:runs)]).to eq([0, 0])
  end

  it "is quiet only in the importing thread: a webhook processed meanwhile elsewhere still notifies" do
    seen = nil
    WawebNative::History::Quiet.run do
      seen = Thread.new { WawebNative::History::Quiet.active? }.value
      expect(WawebNative::History::Quiet.active?).to be(true)
    end
    expect([seen, WawebNative::History::Quiet.active?]).to eq([false, false])
  end
end

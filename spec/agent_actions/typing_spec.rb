# frozen_string_literal: true

require_relative "agent_actions_helper"

RSpec.describe "Typing: an agent typing a reply shows typing... on the phone", :agent_actions do
  let(:gateway) { FakeGateway.start }
  let(:inbox) { create_web_inbox(gateway: gateway) }
  let(:agent) { create_agent(inbox.account) }
  let(:conversation) { web_conversation(inbox) }
  let(:chat) { "628123456789@s.whatsapp.net" }

  before { conversation && gateway.clear_requests }
  after { gateway.stop }

  def presence = gateway_calls(gateway, %r{\A/send/chat-presence\z}).map { |_, json| [json["phone"], json["action"]] }

  it "goes through Chatwoot's dispatcher: typing_on starts, typing_off stops" do
    expect(toggle_typing(conversation, "on").status).to eq(200)
    expect(sidekiq_jobs("critical").map { |j| j["wrapped"] }).to eq(["EventDispatcherJob"])
    expect(presence).to be_empty # nothing on the agent's request itself
    drain_sidekiq
    expect(presence).to eq([[chat, "start"]])

    toggle_typing(conversation, "off")
    drain_sidekiq
    expect(presence).to eq([[chat, "start"], [chat, "stop"]])
  end

  it "is one listener added to Chatwoot's AsyncDispatcher list, however often the hooks are installed" do
    2.times { WawebNative::Chatwoot.install! }
    ours = AsyncDispatcher.new.listeners.grep(WawebNative::Outbound::TypingListener)
    expect(ours).to eq([WawebNative::Outbound::TypingListener.instance])
    # Chatwoot's own initializer subscribed it when it loaded the listeners at boot.
    expect(Rails.configuration.dispatcher.async_dispatcher.subscribed_listeners).to include(ours.first)
  end

  it "sends at most one start per chat every 5 seconds" do
    stub_const("WawebNative::Outbound::TypingPresence::START_INTERVAL", 1)
    3.times { toggle_typing(conversation, "on") }
    drain_sidekiq
    expect(presence).to eq([[chat, "start"]])
    sleep 1.1
    toggle_typing(conversation, "on")
    drain_sidekiq
    expect(presence).to eq([[chat, "start"], [chat, "start"]])
  end

  it "keeps the 5 seconds in Redis, shared by every Sidekiq process" do
    toggle_typing(conversation, "on")
    drain_sidekiq
    ttl = Sidekiq.redis { |r| r.call("PTTL", "waweb:typing:start:#{inbox.id}:628123456789") }
    expect(ttl).to be_between(1, 5000)
  end

  it "stops when the reply is sent, after the reply" do
    toggle_typing(conversation, "on")
    drain_sidekiq
    create_message(conversation: conversation, message_type: :outgoing, content: "Hi Ana", sender: agent)
    drain_sidekiq
    paths = gateway.requests.map(&:path)
    expect(paths).to eq(["/send/chat-presence", "/send/message", "/send/chat-presence"])
    expect(presence.last).to eq([chat, "stop"])

    toggle_typing(conversation, "off") # the dashboard's own off after the send: already stopped
    drain_sidekiq
    expect(presence.size).to eq(2)
  end

  it "never shows typing for a private note, nor stops what it did not start" do
    toggle_typing(conversation, "on", is_private: true)
    toggle_typing(conversation, "off", is_private: true)
    toggle_typing(conversation, "off")
    drain_sidekiq
    expect(presence).to be_empty
    expect(sidekiq_jobs("high")).to be_empty
  end

  describe "bad input" do
    it "leaves other inbox types alone" do
      other = create_conversation(inbox: create_whatsapp_inbox(provider: "whatsapp_cloud", account: inbox.account))
      expect(toggle_typing(other, "on").status).to eq(200)
      drain_sidekiq
      expect(gateway.requests).to be_empty
    end

    it "ignores the customer's own typing (a Contact as the user)" do
      Rails.configuration.dispatcher.dispatch("conversation.typing_on", Time.zone.now,
                                              conversation: conversation, user: conversation.contact,
                                              is_private: false)
      drain_sidekiq
      expect(presence).to be_empty
    end

    it "raises nothing and logs one clear line when the gateway is down or answers 500" do
      gateway.fail_next(:refuse)
      expect(toggle_typing(conversation, "on").status).to eq(200)
      log = LogCapture.during { expect(drain_sidekiq.size).to eq(2) }
      expect(log).to include("typing start not shown for conversation #{conversation.id} (inbox #{inbox.id}, " \
                             "chat 628123456789) (WawebNative::Gateway::ConnectionError): Cannot connect to " \
                             "the WhatsApp gateway at #{gateway.url}.")

      gateway.fail_next(:server_error)
      toggle_typing(conversation, "off")
      log = LogCapture.during { drain_sidekiq }
      expect(log).to include("typing stop not shown", "something went wrong in the gateway")
      expect(Sidekiq::RetrySet.new.size).to eq(0)
    end
  end
end

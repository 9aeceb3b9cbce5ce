# frozen_string_literal: true

require_relative "agent_actions_helper"

RSpec.describe "Typing: an agent typing a reply shows typing... on the phone", :agent_actions do
  include_context "with an agent in a whatsapp_web conversation"

  before { conversation && gateway.clear_requests }

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

  it "starts again at once when the agent types again after a stop (the 5 seconds are for repeats)" do
    toggle_typing(conversation, "on")
    toggle_typing(conversation, "off")
    toggle_typing(conversation, "on")
    drain_sidekiq
    expect(presence).to eq([[chat, "start"], [chat, "stop"], [chat, "start"]])
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

  describe "when the jobs run out of order" do
    def typing_jobs = sidekiq_jobs("high").map { |j| j["args"].first["arguments"][1] }

    it "drops a start that runs after its stop: the phone is left stopped" do
      toggle_typing(conversation, "on")
      toggle_typing(conversation, "off")
      drain_sidekiq(queues: %w[critical])
      expect(typing_jobs).to eq(%w[start stop])
      reverse_sidekiq_queue("high")
      drain_sidekiq
      expect(presence).to eq([[chat, "stop"]])
    end

    it "keeps the newest of start, stop, start however they run: the phone shows typing" do
      toggle_typing(conversation, "on")
      toggle_typing(conversation, "off")
      toggle_typing(conversation, "on")
      drain_sidekiq(queues: %w[critical])
      expect(typing_jobs).to eq(%w[start stop start])
      reverse_sidekiq_queue("high")
      drain_sidekiq
      expect(presence).to eq([[chat, "start"]])
    end

    it "still sends each state once when they run in order" do
      toggle_typing(conversation, "on")
      toggle_typing(conversation, "off")
      drain_sidekiq
      expect(presence).to eq([[chat, "start"], [chat, "stop"]])
    end

    it "drops a start older than the reply that stopped it" do
      toggle_typing(conversation, "on")
      drain_sidekiq(queues: %w[critical])
      create_message(conversation: conversation, message_type: :outgoing, content: "Hi Ana", sender: agent)
      reverse_sidekiq_queue("high") # the reply's job first, then the start the agent typed before it
      drain_sidekiq
      expect(gateway.requests.map(&:path)).to eq(["/send/message", "/send/chat-presence"])
      expect(presence).to eq([[chat, "stop"]])
    end

    it "keeps the newest state in Redis for the chat" do
      toggle_typing(conversation, "on")
      drain_sidekiq
      newest = Sidekiq.redis { |r| r.call("GET", "waweb:typing:newest:#{inbox.id}:628123456789") }.to_i
      expect(Time.at(Rational(newest, 1_000_000))).to be_within(5).of(Time.now)
    end

    it "runs a job queued before jobs carried the time as it comes" do
      WhatsappWeb::TypingPresenceJob.perform_later(conversation.id, "start")
      drain_sidekiq
      expect(presence).to eq([[chat, "start"]])
    end
  end

  it "sends a chat's stop only once its start has left, not alongside it", :truncation do
    gateway.fail_next(:hang) # the start's call hangs in the gateway
    with_sidekiq_workers(threads: 2) do
      toggle_typing(conversation, "on")
      deadline = Time.now + 10
      sleep 0.02 until presence == [[chat, "start"]] || Time.now > deadline
      toggle_typing(conversation, "off")
      sleep 0.5 # a second thread is free to run the stop now
      expect(presence).to eq([[chat, "start"]])
      gateway.release_hung
      wait_for_sidekiq_idle
    end
    expect(presence).to eq([[chat, "start"], [chat, "stop"]])
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

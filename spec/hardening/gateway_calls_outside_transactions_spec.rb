# frozen_string_literal: true

require_relative "../inbound/inbound_helper"

# Records, for every call to the gateway made while recording is on, how many database
# transactions the calling thread had open. It calls the real client (the fake gateway
# answers); it only looks.
module GatewayCallTransactions
  CALLS = Queue.new

  class << self
    attr_accessor :recording
  end

  %i[get post_json post_multipart download].each do |verb|
    define_method(verb) do |path, *args, **options, &block|
      CALLS << [verb, path.to_s, ActiveRecord::Base.connection.open_transactions] if GatewayCallTransactions.recording
      super(path, *args, **options, &block)
    end
  end
end
WawebNative::Gateway::Client.prepend(GatewayCallTransactions)

# A job must not hold a database transaction (and its row locks, or SQLite's write lock)
# while it waits for the gateway: the media download, the group's name and the sends all
# happen before or after the transaction that writes their records.
RSpec.describe "Gateway calls made by jobs", :inbound do
  let(:gateway) { FakeGateway.start }
  let(:inbox) { create_web_inbox(gateway: gateway) }

  after do
    GatewayCallTransactions.recording = false
    gateway.stop
  end

  # [[verb, path, transactions open beyond the example's own], ...] of the block's gateway calls.
  def gateway_calls
    GatewayCallTransactions::CALLS.clear
    outside = ActiveRecord::Base.connection.open_transactions # this example's own transaction
    GatewayCallTransactions.recording = true
    yield
    GatewayCallTransactions.recording = false
    Array.new(GatewayCallTransactions::CALLS.size) { GatewayCallTransactions::CALLS.pop }
         .map { |verb, path, open| [verb, path.split("?").first, open - outside] }
  end

  before { inbox } # saving the channel asks the gateway for its status: not what is measured

  it "fetch media and a new group's name outside any transaction" do
    gateway.add_media("1754000000-0b5c1e.jpeg", Random.new(1).bytes(2048))
    calls = gateway_calls do
      deliver(inbox, fixture("v8/image_caption.json"))
      deliver(inbox, fixture("v8/group_text.json"))
    end
    expect(calls).to include([:download, "/statics/media/1754000000-0b5c1e.jpeg", 0], [:get, "/group/info", 0])
    expect(calls.map(&:last)).to all(eq(0))
    expect(Message.count).to eq(2)
  end

  it "send an agent's text and image outside any transaction" do
    deliver(inbox, fixture("v8/text.json"))
    conversation = Conversation.sole
    calls = gateway_calls do
      create_message(conversation: conversation, message_type: :outgoing, content: "hello")
      image = Message.new(account: inbox.account, inbox: inbox, conversation: conversation,
                          message_type: :outgoing, content: "the form")
      image.attachments.new(account: inbox.account, file_type: :image)
           .file.attach(io: StringIO.new(FakeGateway.png), filename: "form.png", content_type: "image/png")
      image.save!
      drain_sidekiq
    end
    expect(calls).to include([:post_json, "/send/message", 0], [:post_multipart, "/send/image", 0])
    expect(calls.map(&:last)).to all(eq(0))
    expect(Message.outgoing.pluck(:source_id)).to all(be_present)
  end
end

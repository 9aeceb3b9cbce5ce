# frozen_string_literal: true

require_relative "../agent_actions/agent_actions_helper"

# A reply that goes out as several WhatsApp messages and fails partway (the gateway fails
# the second send): what reached the customer is recorded and reachable, the agent reads
# what was and was not delivered, and Chatwoot's Retry sends only the rest.
RSpec.describe "A reply that fails partway", :agent_actions do
  include_context "with an agent in a whatsapp_web conversation"

  def sends = gateway.requests.select { |r| r.path.start_with?("/send/") }
  def ledger = WawebNative::Inbound::ProcessedEvent

  # The agent's reply "Here they are" with a.jpg and b.png: two WhatsApp messages, the text
  # as a.jpg's caption. The gateway fails the second with a 500.
  def reply_failing_at_b_png(**attrs)
    conversation # the inbox's creation asks the gateway too: before the failure is set
    gateway.fail_next(:server_error, after: 1)
    reply = Message.new(account: inbox.account, inbox: inbox, conversation: conversation, message_type: :outgoing,
                        content: "Here they are", sender: agent, **attrs)
    %w[a.jpg b.png].each do |name|
      reply.attachments.new(account: inbox.account, file_type: :image)
           .file.attach(io: StringIO.new(FakeGateway.png), filename: name, content_type: "image/png")
    end
    reply.save!
    drain_sidekiq
    reply.reload
  end

  def part_keys(reply) = reply.attachments.sort_by(&:id).map { |a| "sent:#{reply.id}:attachment:#{a.id}" }

  def retry_message(message)
    post("#{conversation_path(message.conversation)}/messages/#{message.id}/retry", "{}", agent_headers(agent))
    last_response
  end

  it "stays failed, keeps the id of the part WhatsApp has, and says what was delivered and what was not" do
    reply = reply_failing_at_b_png
    expect(sends.map(&:path)).to eq(%w[/send/image /send/image])
    expect(reply.status).to eq("failed")
    expect(reply.content_attributes["external_error"])
      .to eq("The text and a.jpg were delivered; b.png was not: something went wrong in the gateway. " \
             "Retry sends only what is missing.")
    expect(reply.source_id).to be_nil # Chatwoot's retry skips a message with a source_id

    first = reply.content_attributes["waweb_sent_ids"]
    expect(first).to match([/\A3EB0[0-9A-F]{16}\z/])
    rows = ledger.where(message_id: reply.id).pluck(:event_key, :whatsapp_id)
    expect(rows).to eq([[part_keys(reply).first, first.first]]) # b.png: nothing recorded
    expect(reply.content_attributes["external_error"]).not_to include(gateway.password)
  end

  it "sends only the missing part on Chatwoot's retry, and ends with every id in order" do
    customer = incoming(conversation, "3EB0CUSTOMER")
    reply = reply_failing_at_b_png(content_attributes: { "in_reply_to_external_id" => customer.source_id })
    first_id = reply.content_attributes["waweb_sent_ids"].first
    expect(sends.first.fields).to eq("phone" => chat, "caption" => "Here they are",
                                     "reply_message_id" => "3EB0CUSTOMER")

    expect(retry_message(reply).status).to eq(200)
    expect(reply.reload.content_attributes).to eq({}) # what Chatwoot's retry does
    drain_sidekiq

    expect(sends.size).to eq(3) # a.jpg once, b.png twice (failed, then sent): never a.jpg again
    again = sends.last
    expect([again.path, again.files.map(&:filename)]).to eq(["/send/image", ["b.png"]])
    expect(again.fields).to eq("phone" => chat) # the caption and the quote went with a.jpg
    reply.reload
    ids = reply.content_attributes["waweb_sent_ids"]
    expect(ids.size).to eq(2)
    expect(ids.first).to eq(first_id)
    expect(reply.source_id).to eq(first_id)
    expect(reply.status).to eq("sent")
    expect(reply.content_attributes).not_to have_key("external_error")
    expect(ledger.where(message_id: reply.id).order(:id).pluck(:event_key, :whatsapp_id))
      .to eq(part_keys(reply).zip(ids))
  end

  it "sends nothing twice when a reply that fully went out is sent again" do
    reply = create_message(conversation: conversation, message_type: :outgoing, content: "only once", sender: agent)
    drain_sidekiq
    id = reply.reload.source_id
    expect(id).to match(/\A3EB0/)

    reply.update_columns(source_id: nil) # nothing guards it any more but the ledger
    SendReplyJob.perform_later(reply.id)
    drain_sidekiq
    expect(sends.map { |r| r.json["message"] }).to eq(["only once"])
    expect(reply.reload.source_id).to eq(id)
  end

  # Chatwoot queues a SendReplyJob per Retry click: two may run at once, in two threads or
  # two Sidekiq processes. The second waits for the first, then finds the part recorded.
  it "sends a part once when two jobs send the same reply at the same moment", :truncation do
    conversation
    gateway.latency = 0.5 # the first send is still on its way when the second job looks
    reply = create_message(conversation: conversation, message_type: :outgoing, content: "just once", sender: agent)
    Array.new(2) { Thread.new { SendReplyJob.perform_now(reply.id) } }.each { |t| t.join(20) }
    expect(sends.map { |r| r.json["message"] }).to eq(["just once"])
    expect(reply.reload.source_id).to match(/\A3EB0/)
    expect(ledger.where(message_id: reply.id).count).to eq(1)
  ensure
    gateway.latency = 0
  end

  # The gem updated, `db:migrate` not run yet: replies go out as before the column came.
  it "sends as before, and says to migrate, on a host without the ledger's whatsapp_id column" do
    ActiveRecord::Base.connection.remove_column(:waweb_processed_events, :whatsapp_id) # undone with the example
    ledger.reset_column_information
    WawebNative::Outbound::DeliveredParts.remove_instance_variable(:@warned) if
      WawebNative::Outbound::DeliveredParts.instance_variable_defined?(:@warned)
    log = LogCapture.during do
      whole = create_message(conversation: conversation, message_type: :outgoing, content: "hello", sender: agent)
      drain_sidekiq
      expect(whole.reload.source_id).to match(/\A3EB0/)
      expect(reply_failing_at_b_png.content_attributes["external_error"]).to start_with("The text and a.jpg were")
    end
    expect(sends.size).to eq(3)
    expect(log.scan("no whatsapp_id column: run db:migrate").size).to eq(1)
  ensure
    ledger.reset_column_information
  end

  describe "receipts for the delivered part" do
    def receipt(ids, type)
      post_webhook(inbox, InboundBodies.ack(ids, type))
      drain_sidekiq
    end

    it "find the failed reply without leaving it failed behind a 'read', and move it once the rest went" do
      reply = reply_failing_at_b_png
      first_id = reply.content_attributes["waweb_sent_ids"].first
      ran = receipt([first_id], "delivered") + receipt([first_id], "read")
      expect(ran.count { |job| job["wrapped"] == "Webhooks::WhatsappWebEventsJob" }).to eq(2) # found: no retries
      expect(reply.reload.status).to eq("failed") # b.png never reached the customer: the agent must see it
      expect(reply.content_attributes["external_error"]).to start_with("The text and a.jpg were delivered")

      retry_message(reply)
      drain_sidekiq
      second_id = reply.reload.content_attributes["waweb_sent_ids"].last
      receipt([second_id], "delivered") # b.png's own receipt: not its source_id, still this reply
      expect(reply.reload.status).to eq("delivered")
    end

    it "a customer's reaction to the second photo reaches the reply too" do
      reply = reply_failing_at_b_png
      retry_message(reply)
      drain_sidekiq
      second_id = reply.reload.content_attributes["waweb_sent_ids"].last
      post_webhook(inbox, InboundBodies.v8("message.reaction", { "chat_id" => chat, "id" => "3EB0REACT", "from" => chat,
                                                                 "is_from_me" => false, "reaction" => "👍",
                                                                 "reacted_message_id" => second_id }))
      ran = drain_sidekiq
      expect(ran.count { |job| job["wrapped"] == "Webhooks::WhatsappWebEventsJob" }).to eq(1)
      expect(reply.reload.content_attributes["reactions"]).to eq("628123456789" => "👍")
    end
  end

  it "revokes the part WhatsApp has when the agent deletes the failed reply" do
    reply = reply_failing_at_b_png
    first_id = reply.content_attributes["waweb_sent_ids"].first
    expect(delete_message(reply).status).to eq(200)
    drain_sidekiq
    expect(gateway_calls(gateway, %r{/revoke\z})).to eq([["/message/#{first_id}/revoke", { "phone" => chat }]])
    expect(reply.reload.content_attributes).not_to have_key("external_error")
  end

  it "revokes it, and sends nothing, when the agent deletes it between Retry and the retry's send" do
    reply = reply_failing_at_b_png
    first_id = reply.content_attributes["waweb_sent_ids"].first
    retry_message(reply) # content_attributes emptied, SendReplyJob queued, not run yet
    expect(delete_message(reply).status).to eq(200)
    drain_sidekiq # SendReplyJob, then the revoke
    expect(sends.size).to eq(2) # "This message was deleted" never went to the customer
    expect(gateway_calls(gateway, %r{/revoke\z})).to eq([["/message/#{first_id}/revoke", { "phone" => chat }]])
  end

  # The job dies (a deploy, an OOM kill) while the second part is on its way: the first is
  # already recorded, so Sidekiq running the job again sends only the second.
  it "records a part the moment the gateway confirms it, so a job that dies afterwards never resends it",
     :truncation do
    conversation
    gateway.fail_next(:hang, after: 1) # a.jpg goes, b.png hangs until released
    reply = Message.new(account: inbox.account, inbox: inbox, conversation: conversation, message_type: :outgoing,
                        content: "Here they are", sender: agent)
    %w[a.jpg b.png].each do |name|
      reply.attachments.new(account: inbox.account, file_type: :image)
           .file.attach(io: StringIO.new(FakeGateway.png), filename: name, content_type: "image/png")
    end
    reply.save! # its SendReplyJob waits in the queue: the run Sidekiq makes after the crash
    job = Thread.new { SendReplyJob.perform_now(reply.id) }

    deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + 10
    sleep 0.02 until sends.size == 2 || Process.clock_gettime(Process::CLOCK_MONOTONIC) > deadline
    expect(sends.size).to eq(2) # b.png is at the gateway, unanswered
    first_id = ledger.where(message_id: reply.id).pick(:whatsapp_id) # committed, seen from another connection
    expect(first_id).to match(/\A3EB0/)

    job.kill # the crash
    gateway.release_hung
    job.join(10)
    expect(reply.reload.source_id).to be_nil # nothing after the crash ran

    drain_sidekiq
    expect(sends.map { |r| r.files.map(&:filename) }).to eq([["a.jpg"], ["b.png"], ["b.png"]])
    reply.reload
    expect(reply.source_id).to eq(first_id)
    expect(reply.content_attributes["waweb_sent_ids"]).to match([first_id, /\A3EB0/])
  end
end

# frozen_string_literal: true

require_relative "agent_actions_helper"

RSpec.describe "Delete: an agent deleting a sent message revokes it on WhatsApp", :agent_actions do
  include_context "with an agent in a whatsapp_web conversation"

  def revokes = gateway_calls(gateway, %r{/revoke\z})

  # An agent's reply that reached WhatsApp.
  def sent_reply(text = "Hi Ana")
    message = create_message(conversation: conversation, message_type: :outgoing, content: text, sender: agent)
    drain_sidekiq
    message.reload.tap { |m| expect(m.source_id).to match(/\A3EB0/) }
  end

  it "deletes it in Chatwoot at once and for everyone on WhatsApp in a job" do
    reply = sent_reply
    expect(delete_message(reply).status).to eq(200)
    reply.reload
    expect([reply.content, reply.content_attributes["deleted"]]).to eq(["This message was deleted", true])
    expect(revokes).to be_empty # the agent's request did not wait
    expect(sidekiq_jobs("high").map { |j| j["wrapped"] }).to eq(["WhatsappWeb::RevokeMessageJob"])

    drain_sidekiq
    expect(revokes).to eq([["/message/#{reply.source_id}/revoke", { "phone" => chat }]])
    expect(reply.reload.content_attributes).not_to have_key("external_error")
  end

  # A reply with two images goes out as two WhatsApp messages (the text as the first caption).
  def sent_two_images
    reply = Message.new(account: inbox.account, inbox: inbox, conversation: conversation, message_type: :outgoing,
                        content: "both photos", sender: agent)
    2.times do |i|
      reply.attachments.new(account: inbox.account, file_type: :image)
           .file.attach(io: StringIO.new(FakeGateway.png), filename: "p#{i}.png", content_type: "image/png")
    end
    reply.save!
    drain_sidekiq
    reply.reload
  end

  it "revokes every WhatsApp message a reply went out as (text and attachments), not only the first" do
    reply = sent_two_images
    ids = reply.content_attributes["waweb_sent_ids"]
    expect(ids.size).to eq(2)
    expect(ids.uniq.size).to eq(2)
    expect(ids.first).to eq(reply.source_id)
    expect(delete_message(reply).status).to eq(200)
    expect(reply.reload.content_attributes).not_to have_key("waweb_sent_ids") # Chatwoot replaced them
    drain_sidekiq
    expect(revokes).to eq(ids.map { |id| ["/message/#{id}/revoke", { "phone" => chat }] })
    expect(reply.reload.content_attributes).not_to have_key("external_error")
  end

  it "still revokes the other messages of a reply when WhatsApp refuses one, and notes the refusal" do
    reply = sent_two_images
    first, second = reply.content_attributes["waweb_sent_ids"]
    gateway.refuse_revoke(first, status: 400, message: "message is too old to be revoked")
    delete_message(reply)
    drain_sidekiq
    expect(revokes.map(&:first)).to eq(["/message/#{first}/revoke", "/message/#{second}/revoke"])
    expect(reply.reload.content_attributes["external_error"]).to include("(message is too old to be revoked)")
  end

  it "revokes a message typed on the phone too (it is ours), in a group as well" do
    deliver(inbox, InboundBodies.text(id: "3EB0PH", from: "628123456789@s.whatsapp.net", from_me: true,
                                      chat: "120363025246125888@g.us", body: "typed on the phone"))
    message = Message.find_by!(source_id: "3EB0PH")
    delete_message(message)
    drain_sidekiq
    expect(revokes).to eq([["/message/3EB0PH/revoke", { "phone" => "120363025246125888@g.us" }]])
  end

  it "does not bounce a message the phone already revoked back to WhatsApp" do
    reply = sent_reply
    revoked = InboundBodies.v8("message.revoked",
                               { "id" => "3EB0RV", "chat_id" => chat, "from" => chat, "is_from_me" => true,
                                 "revoked_message_id" => reply.source_id, "revoked_from_me" => true,
                                 "timestamp" => "2026-08-01T10:05:00Z" })
    deliver(inbox, revoked)
    expect(reply.reload.content_attributes["deleted"]).to be(true)
    expect(delete_message(reply).status).to eq(200)
    drain_sidekiq
    expect(revokes).to be_empty
  end

  it "revokes nothing for a customer's message, a private note or a message that never reached WhatsApp" do
    customers = incoming(conversation, "3EB0IN")
    note = create_message(conversation: conversation, message_type: :outgoing, content: "note", private: true,
                          sender: agent)
    gateway.fail_next(:server_error) # this reply fails: no WhatsApp id
    failed = create_message(conversation: conversation, message_type: :outgoing, content: "lost", sender: agent)
    drain_sidekiq
    expect(failed.reload.source_id).to be_nil
    [customers, note, failed].each { |m| expect(delete_message(m).status).to eq(200) }
    drain_sidekiq
    expect(revokes).to be_empty
    expect([customers, note, failed].map { |m| m.reload.content_attributes["deleted"] }).to eq([true] * 3)
  end

  describe "when WhatsApp will not delete it" do
    it "keeps it deleted in Chatwoot with a visible note when the gateway refuses it (HTTP 400)" do
      reply = sent_reply
      gateway.refuse_revoke(reply.source_id, status: 400, message: "message is too old to be revoked")
      log = LogCapture.during do
        expect(delete_message(reply).status).to eq(200)
        drain_sidekiq
      end
      reply.reload
      expect(reply.content_attributes["deleted"]).to be(true)
      expect(reply.content_attributes["external_error"])
        .to eq("Deleted here only: WhatsApp did not delete it on the customer's phone " \
               "(message is too old to be revoked).")
      expect(revokes.size).to eq(1) # a refusal is not retried
      expect(log).to include("message #{reply.id} of conversation #{conversation.id} (inbox #{inbox.id}, chat " \
                             "628123456789) deleted in Chatwoot but not on WhatsApp (WawebNative::Gateway::RequestError)")
    end

    it "tries a failing gateway (500) three times, then notes it" do
      reply = sent_reply
      gateway.refuse_revoke(reply.source_id, status: 500, message: "server returned error 479")
      delete_message(reply)
      expect { drain_sidekiq }.not_to raise_error
      expect(revokes.size).to eq(3)
      expect(reply.reload.content_attributes["external_error"]).to include("(server returned error 479)")
    end

    it "tries a gateway that is down three times, then notes it; nothing reaches the agent" do
      reply = sent_reply
      gateway.stop
      expect(delete_message(reply).status).to eq(200)
      log = LogCapture.during { drain_sidekiq }
      expect(reply.reload.content_attributes["external_error"])
        .to eq("Deleted here only: WhatsApp did not delete it on the customer's phone " \
               "(Cannot connect to the WhatsApp gateway at #{gateway.url}).")
      expect(log).to include("deleted in Chatwoot but not on WhatsApp (WawebNative::Gateway::ConnectionError): " \
                             "Cannot connect to the WhatsApp gateway")
      expect(reply.content).to eq("This message was deleted")
    end

    it "revokes after a failed attempt once the gateway is back" do
      reply = sent_reply
      gateway.fail_next(:server_error)
      delete_message(reply)
      drain_sidekiq
      expect(revokes.size).to eq(2)
      expect(reply.reload.content_attributes).not_to have_key("external_error")
    end
  end

  describe "bad input" do
    it "leaves other inbox types alone" do
      other = create_conversation(inbox: create_whatsapp_inbox(provider: "whatsapp_cloud", account: inbox.account))
      message = create_message(conversation: other, message_type: :outgoing, source_id: "wamid.9", sender: agent)
      gateway.clear_requests
      expect(delete_message(message).status).to eq(200)
      drain_sidekiq
      expect(gateway.requests).to be_empty
      expect(message.reload.content_attributes["deleted"]).to be(true)
    end

    it "answers 404 for a message of another conversation, as Chatwoot does" do
      reply = sent_reply
      other = web_conversation(inbox, digits: "628999999999")
      delete("#{conversation_path(other)}/messages/#{reply.id}", nil, agent_headers(agent))
      expect(last_response.status).to eq(404)
      expect(sidekiq_queue_sizes.values.sum).to eq(0)
    end

    it "deletes in Chatwoot and leaves a note when the revoke cannot even be queued" do
      reply = sent_reply
      allow(WhatsappWeb::RevokeMessageJob).to receive(:perform_later).and_raise(RedisClient::CannotConnectError)
      expect(delete_message(reply).status).to eq(200)
      expect(reply.reload.content_attributes).to include(
        "deleted" => true,
        "external_error" => "Deleted here only: the deletion could not be queued for WhatsApp " \
                            "(RedisClient::CannotConnectError)."
      )
    end
  end
end

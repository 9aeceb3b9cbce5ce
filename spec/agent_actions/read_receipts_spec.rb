# frozen_string_literal: true

require_relative "agent_actions_helper"

RSpec.describe "Read receipts: an agent opening a conversation marks it read on WhatsApp", :agent_actions do
  include_context "with an agent in a whatsapp_web conversation"

  def reads = gateway_calls(gateway, %r{/read\z})
  def read(id) = ["/message/#{id}/read", { "phone" => chat }]

  it "marks each incoming WhatsApp message read once, in a job, never the others" do
    incoming(conversation, "3EB0R1")
    incoming(conversation, "3EB0R2")
    create_message(conversation: conversation, message_type: :outgoing, source_id: "3EB0OUT")
    create_message(conversation: conversation, message_type: :outgoing, content: "note", private: true)
    create_message(conversation: conversation, message_type: :activity, content: "Ana joined")
    incoming(conversation, nil, content: "no WhatsApp id")
    drain_sidekiq # the outgoing reply goes out first
    gateway.clear_requests

    expect(open_conversation(conversation).status).to eq(200)
    expect(conversation.reload.agent_last_seen_at).to be_within(5).of(Time.now)
    expect(reads).to be_empty # the agent's request did not wait for the gateway
    expect(sidekiq_jobs("default").map { |j| j["wrapped"] }).to eq(["WhatsappWeb::MarkReadJob"])

    drain_sidekiq
    expect(reads).to eq([read("3EB0R1"), read("3EB0R2")])

    open_conversation(conversation)
    drain_sidekiq
    expect(reads.size).to eq(2) # remembered: not marked again

    incoming(conversation, "3EB0R3")
    open_conversation(conversation)
    drain_sidekiq
    expect(reads.last(2)).to eq([read("3EB0R2"), read("3EB0R3")])
  end

  it "marks a message once even when two agents open the chat at the same moment" do
    incoming(conversation, "3EB0R1")
    open_conversation(conversation)
    open_conversation(conversation, as: create_agent(inbox.account))
    expect(sidekiq_jobs("default").size).to eq(2)
    drain_sidekiq
    expect(reads).to eq([read("3EB0R1")])
  end

  it "walks only the 50 newest messages of a long history" do
    ids = Array.new(60) { |i| format("3EB0H%02d", i) }
    ids.each { |id| incoming(conversation, id) }
    open_conversation(conversation)
    drain_sidekiq
    expect(reads.map(&:first)).to eq(ids.last(50).map { |id| "/message/#{id}/read" })
  end

  it "marks group messages read in the group chat" do
    group = create_conversation(inbox: inbox, contact_inbox: create_contact_inbox(
      inbox: inbox, contact: create_contact(account: inbox.account, name: "Group"), source_id: "120363025246125888@g.us"
    ))
    incoming(group, "3EB0G1")
    open_conversation(group)
    drain_sidekiq
    expect(reads).to eq([["/message/3EB0G1/read", { "phone" => "120363025246125888@g.us" }]])
  end

  it "changes nothing on WhatsApp when the agent marks the conversation unread" do
    incoming(conversation, "3EB0R1")
    expect(mark_unread(conversation).status).to eq(200)
    drain_sidekiq
    expect(reads).to be_empty
  end

  it "is off with provider_config mark_read false; status, the connection page and the doctor say so" do
    inbox.channel.update!(provider_config: inbox.channel.provider_config.merge("mark_read" => false))
    incoming(conversation, "3EB0R1")
    expect(open_conversation(conversation).status).to eq(200)
    expect(sidekiq_queue_sizes.values.sum).to eq(0)
    drain_sidekiq
    expect(reads).to be_empty
    status, page, doctor = settings_shown
    expect([status, doctor]).to eq([false, "read receipts: off"])
    expect(page).to start_with("Off (provider_config mark_read is false)")

    inbox.channel.update!(provider_config: inbox.channel.provider_config.merge("mark_read" => "true"))
    status, page, doctor = settings_shown
    expect([status, doctor]).to eq([true, "read receipts: on"])
    expect(page).to start_with("On: an agent opening a conversation")
  end

  # [status's mark_read, the connection page's read receipts line, the doctor's line].
  def settings_shown
    admin = create_user
    AccountUser.create!(account: inbox.account, user: admin, role: :administrator)
    get("/whatsapp_web/inboxes/#{inbox.id}/connect", {}, "HTTP_API_ACCESS_TOKEN" => admin.access_token.token)
    page = CGI.unescapeHTML(last_response.body[%r{<dd id="mark-read">([^<]*)</dd>}, 1].to_s)
    out = StringIO.new
    WawebNative.doctor(inbox, out: out)
    [WawebNative.status(inbox)[:mark_read], page, out.string[/read receipts: \w+/]]
  end

  describe "bad input" do
    it "leaves other inbox types alone" do
      cloud = create_whatsapp_inbox(provider: "whatsapp_cloud", account: inbox.account)
      other = create_conversation(inbox: cloud)
      incoming(other, "wamid.1")
      gateway.clear_requests
      expect(open_conversation(other).status).to eq(200)
      expect(sidekiq_queue_sizes.values.sum).to eq(0)
      expect(gateway.requests).to be_empty
    end

    it "answers 404 for a conversation of another account, as Chatwoot does, and calls nothing" do
      stranger = web_conversation(create_web_inbox(gateway: gateway, phone_number: "+6289600000009"),
                                  digits: "628111111111")
      post("/api/v1/accounts/#{inbox.account_id}/conversations/#{stranger.display_id + 100}/update_last_seen",
           "{}", agent_headers(agent))
      expect(last_response.status).to eq(404)
      expect(sidekiq_queue_sizes.values.sum).to eq(0)
    end

    it "keeps the messages for the next opening when the gateway is down, with a clear log line" do
      incoming(conversation, "3EB0R1")
      incoming(conversation, "3EB0R2")
      gateway.fail_next(:refuse)
      expect(open_conversation(conversation).status).to eq(200)
      log = LogCapture.during { drain_sidekiq }
      expect(log).to include("read receipts for conversation #{conversation.id} (inbox #{inbox.id}, chat 628123456789)")
      expect(log).to match(/2 not marked read on WhatsApp, left for the next opening .*Cannot connect to the WhatsApp/)
      expect(reads).to eq([read("3EB0R1")]) # the refused attempt

      open_conversation(conversation)
      drain_sidekiq
      expect(reads.drop(1)).to eq([read("3EB0R1"), read("3EB0R2")])
    end

    it "keeps them too when the gateway answers 500 or WhatsApp is logged out" do
      incoming(conversation, "3EB0R1")
      gateway.fail_next(:server_error)
      open_conversation(conversation)
      expect(LogCapture.during { drain_sidekiq }).to include("ServerError): something went wrong in the gateway")
      gateway.logged_in = false
      open_conversation(conversation)
      expect(LogCapture.during { drain_sidekiq }).to include("WhatsApp is not connected")
      gateway.logged_in = true
      open_conversation(conversation)
      drain_sidekiq
      expect(reads.map(&:first)).to eq(["/message/3EB0R1/read"] * 3)
      open_conversation(conversation)
      drain_sidekiq
      expect(reads.size).to eq(3)
    end
  end
end

# frozen_string_literal: true

require_relative "inbound_helper"

# Two numbers on one gateway (v8+): the envelope's device decides the inbox, whatever URL
# the gateway posted to. The fake gateway sends each device's events the way GOWA does.
RSpec.describe "Routing webhooks by the envelope's device", :inbound do
  let(:gateway) { FakeGateway.start }
  let(:shared_secret) { SecureRandom.hex(16) }
  let!(:inbox_a) { web_inbox("+6281100000001", "org_1", create_account) }
  let!(:inbox_b) { web_inbox("+6281100000002", "org_2", create_account) }

  before do
    gateway.add_device("org_2")
    gateway.scan!("org_2", "6281100000002")
  end

  after { gateway.stop }

  # A whatsapp_web inbox on the fake gateway, for its slot `device`.
  def web_inbox(phone, device, account, secret: shared_secret)
    config = { "api_base_url" => gateway.url, "basic_auth_username" => gateway.username,
               "basic_auth_password" => gateway.password, "device_id" => device, "webhook_verify_token" => secret }
    create_whatsapp_inbox(account: account, phone_number: phone, provider_config: config)
  end

  def text(id, from: "628123456789@s.whatsapp.net", body: "hi")
    { id: id, chat_id: from, from: from, from_name: "Customer", body: body, is_from_me: false,
      timestamp: "2026-08-01T10:00:00Z" }
  end

  def ack(id, from: "628123456789@s.whatsapp.net")
    { ids: [id], chat_id: from, from: from, receipt_type: "read" }
  end

  def edit(id, body, from: "628123456789@s.whatsapp.net")
    { id: "#{id}-E", original_message_id: id, body: body, chat_id: from, from: from, is_from_me: false,
      timestamp: "2026-08-01T10:05:00Z" }
  end

  def outgoing(inbox, source_id)
    conversation = create_conversation(inbox: inbox)
    create_message(conversation: conversation, message_type: :outgoing, content: "reply", source_id: source_id)
  end

  # POST to the gateway-wide URL, signed with `secret` (nil: unsigned); answers the status.
  def post_gateway_wide(body, secret: shared_secret, signature: nil)
    env = { "CONTENT_TYPE" => "application/json" }
    signature ||= secret && WawebNative::Signature.sign(secret, body)
    env["HTTP_X_HUB_SIGNATURE_256"] = signature if signature
    post("/webhooks/whatsapp_web", body, env)
    last_response.status
  end

  def queued_channels = events_queue_jobs.map { |job| job["args"].first["arguments"].first }

  def contents(inbox)
    Message.where(inbox_id: inbox.id, message_type: :incoming).order(:id)
           .map { |m| [m.source_id, m.content_attributes["bare_content"] || m.content] }
  end

  describe "one global webhook for every number", :truncation do
    it "on the gateway-wide URL: each number's messages, receipts and edits land only in its own inbox" do
      reply_a = outgoing(inbox_a, "OUT-A")
      reply_b = outgoing(inbox_b, "OUT-B")
      with_puma_host do |host|
        gateway.webhook_urls = ["#{host}/webhooks/whatsapp_web"]
        gateway.webhook_secret = shared_secret
        expect(gateway.deliver_event("org_1", "message",
                                     text("A1", body: "to A"))).to eq([[gateway.webhook_urls.first, 200]])
        expect(gateway.deliver_event("org_2", "message", text("B1", body: "to B")).map(&:last)).to eq([200])
        gateway.deliver_event("org_1", "message.ack", ack("OUT-A"))
        gateway.deliver_event("org_2", "message.ack", ack("OUT-B"))
        gateway.deliver_event("org_2", "message.edited", edit("B1", "to B (edited)"))
      end
      drain_sidekiq
      expect(contents(inbox_a)).to eq([["A1", "to A"]])
      expect(contents(inbox_b)).to eq([["B1", "to B (edited)"]])
      expect([reply_a.reload.status, reply_b.reload.status]).to eq(%w[read read])
      customers = Contact.where(phone_number: "+628123456789").pluck(:account_id)
      expect(customers).to contain_exactly(inbox_a.account_id, inbox_b.account_id) # one per account, each its own
    end

    it "on one inbox's URL (and on every global URL): B's events go to B, once, never to A" do
      with_puma_host do |host|
        gateway.webhook_urls = ["#{host}/webhooks/whatsapp_web/6281100000001", "#{host}/webhooks/whatsapp_web"]
        gateway.webhook_secret = shared_secret
        statuses = gateway.deliver_event("org_2", "message", text("B2", body: "only B"))
        expect(statuses.map(&:last)).to eq([200, 200]) # the same event reached both global URLs
        gateway.deliver_event("org_1", "message", text("A2", body: "only A"))
      end
      drain_sidekiq
      expect(contents(inbox_b)).to eq([["B2", "only B"]])
      expect(contents(inbox_a)).to eq([["A2", "only A"]])
    end

    it "a device's own webhook (v9) goes only to its inbox, signed with its own secret" do
      own = SecureRandom.hex(16)
      config = inbox_b.channel.provider_config.merge("webhook_verify_token" => own)
      inbox_b.channel.update_columns(provider_config: config)
      WawebNative::Inbound::ChannelLookup.clear!
      with_puma_host do |host|
        gateway.webhook_urls = ["#{host}/webhooks/whatsapp_web/6281100000001"]
        gateway.webhook_secret = shared_secret
        gateway.set_device_webhook("org_2", "#{host}/webhooks/whatsapp_web/6281100000002", secret: own)
        expect(gateway.deliver_event("org_2", "message", text("B3")))
          .to eq([["#{host}/webhooks/whatsapp_web/6281100000002", 200]])
      end
      drain_sidekiq
      expect(contents(inbox_b).map(&:first)).to eq(["B3"])
      expect(contents(inbox_a)).to be_empty
    end
  end

  describe "refused or dropped" do
    let!(:inbox_b) { web_inbox("+6281100000002", "org_2", create_account, secret: SecureRandom.hex(16)) }

    def envelope(device, session, payload, event: "message")
      JSON.generate({ event: event, device_id: device, session_id: session, payload: payload }.compact)
    end

    it "a forged device (signed with A's secret, naming B) is filed nowhere: 200 on A's URL, 401 gateway-wide" do
      inbox_b
      forged = envelope("6281100000002@s.whatsapp.net", "org_2", text("F1"))
      lines = log_lines { expect(post_webhook(inbox_a, forged).status).to eq(200) }
      expect(lines).to match(/WARN .*webhook dropped.*"6281100000002@s\.whatsapp\.net".*inbox channel /)
      expect(lines).to include("channel #{inbox_b.channel.id}'s, but the body is not signed with that inbox's secret")
      expect(post_gateway_wide(forged, secret: shared_secret)).to eq(401)
      expect(events_queue_jobs).to be_empty
      expect(lines).not_to include(shared_secret)
    end

    it "an unknown device is dropped with a warning naming it, on both URLs" do
      stranger = envelope("6289999999999@s.whatsapp.net", "org_9", text("U1"))
      lines = log_lines do
        expect(post_webhook(inbox_a, stranger).status).to eq(200)
        expect(post_gateway_wide(stranger, secret: shared_secret)).to eq(200)
      end
      expect(lines.lines.grep(/webhook dropped/).size).to eq(2)
      presence = envelope("6289999999999@s.whatsapp.net", "org_9", { from: "628123456789@s.whatsapp.net",
                                                                     state: "composing" }, event: "chat_presence")
      quiet = log_lines { expect(post_gateway_wide(presence)).to eq(200) } # frequent: no warning for each
      expect(quiet).not_to include("WARN")
      expect(lines).to include('device "6289999999999@s.whatsapp.net" (session "org_9") is no WhatsApp Web inbox ' \
                               "on this gateway")
      expect(events_queue_jobs).to be_empty
    end

    it "a device on another gateway is not this gateway's inbox even with the same slot id" do
      elsewhere = FakeGateway.start
      other = create_whatsapp_inbox(phone_number: "+6281100000003", provider_config: {
                                      "api_base_url" => elsewhere.url, "basic_auth_username" => elsewhere.username,
                                      "basic_auth_password" => elsewhere.password,
                                      "webhook_verify_token" => shared_secret
                                    })
      body = envelope("6281100000003@s.whatsapp.net", nil, text("X1"))
      expect(post_webhook(inbox_a, body).status).to eq(200)
      expect(events_queue_jobs).to be_empty
      expect(post_gateway_wide(body, secret: shared_secret)).to eq(200)
      expect(queued_channels).to eq([other.channel.id])
    ensure
      elsewhere&.stop
    end

    it "the slot id alone names the inbox whose device_id it is; Brazil's 9th digit is the same number" do
      by_slot = envelope("6200000000000@s.whatsapp.net", "org_1", text("S1"))
      expect(post_webhook(inbox_a, by_slot).status).to eq(200)
      gateway.add_device("org_3")
      brazil = web_inbox("+5511987654321", "org_3", inbox_a.account)
      old_form = envelope("551187654321:7@s.whatsapp.net", nil, text("S2"))
      expect(post_webhook(brazil, old_form).status).to eq(200)
      expect(events_queue_jobs.map do |j|
        j["args"].first["arguments"].first
      end).to eq([inbox_a.channel.id, brazil.channel.id])
    end

    it "v7 bodies (no device) behave as today: the URL's inbox, 401 unsigned; the gateway-wide URL drops them" do
      v7 = fixture("v7/text.json")
      expect(post_webhook(inbox_a, v7).status).to eq(200)
      expect(post_webhook(inbox_a, v7, secret: nil).status).to eq(401)
      expect(post_webhook(inbox_a, v7, secret: "other").status).to eq(401)
      expect(post_gateway_wide(v7, secret: shared_secret)).to eq(200)
      expect(queued_channels).to eq([inbox_a.channel.id])
    end

    it "the gateway-wide URL keeps the endpoint's answers: 401 missing/wrong, 400 malformed, 413 too large" do
      inbox_b
      body = envelope("6281100000002@s.whatsapp.net", "org_2", text("G1"))
      expect(post_gateway_wide(body, secret: nil)).to eq(401)
      expect(post_gateway_wide(body, signature: "sha256=#{'0' * 64}")).to eq(401)
      broken = '{"event":"message","device_id":"6281100000001@s.whatsapp.net","payload":{'
      expect(post_webhook("6281100000001", broken, secret: shared_secret).status).to eq(400)
      huge = "x" * (WawebNative::Payload.max_bytes + 1)
      post("/webhooks/whatsapp_web", huge, "CONTENT_TYPE" => "application/json",
                                           "HTTP_X_HUB_SIGNATURE_256" => "sha256=00")
      expect(last_response.status).to eq(413)
      expect(events_queue_jobs).to be_empty
      expect(post_gateway_wide(body, secret: secret_of(inbox_b))).to eq(200)
      expect(queued_channels).to eq([inbox_b.channel.id])
    end
  end
end

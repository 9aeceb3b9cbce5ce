# frozen_string_literal: true

require_relative "inbound_helper"

RSpec.describe "POST /webhooks/whatsapp_web/:phone_number", :inbound do
  let(:inbox) { create_web_inbox }
  let(:text) { fixture("v8/text.json") }
  let(:ignored_kinds) { %w[presence call newsletter unknown] }

  describe "every fixture" do
    it "is answered 200 when signed, and queued on `default` unless the product ignores its kind" do
      fixture_names.each do |name|
        clear_sidekiq_redis
        response = post_webhook(inbox, fixture(name))
        expect(response.status).to eq(200), name
        jobs = events_queue_jobs
        if ignored_kinds.include?(InboundHelpers::EXPECTED.fetch(name)["kind"])
          expect(jobs).to be_empty, name
        else
          expect(jobs.size).to eq(1), name
          args = jobs.first["args"].first["arguments"]
          expect(args).to eq([inbox.channel.id, fixture(name).force_encoding(Encoding::UTF_8)]), name
          expect(jobs.first["wrapped"]).to eq("Webhooks::WhatsappWebEventsJob")
        end
      end
    end

    it "is refused with 401, nothing queued, when unsigned or signed with another secret" do
      fixture_names.each do |name|
        expect(post_webhook(inbox, fixture(name), secret: nil).status).to eq(401), name
        expect(post_webhook(inbox, fixture(name), secret: "secret").status).to eq(401), name
      end
      expect(sidekiq_queue_sizes.values.sum).to eq(0)
    end
  end

  describe "signature" do
    it "rejects a signature over other bytes (the body re-serialised) and one flipped hex digit" do
      reserialised = JSON.generate(JSON.parse(fixture("v8/text_html_escaped.json")))
      header = WawebNative::Signature.sign(secret_of(inbox), reserialised)
      post("/webhooks/whatsapp_web/#{inbox.channel.phone_number}", fixture("v8/text_html_escaped.json"),
           "CONTENT_TYPE" => "application/json", "HTTP_X_HUB_SIGNATURE_256" => header)
      expect(last_response.status).to eq(401)

      good = WawebNative::Signature.sign(secret_of(inbox), text)
      flipped = good[0..-2] + (good[-1] == "0" ? "1" : "0")
      post("/webhooks/whatsapp_web/#{inbox.channel.phone_number}", text,
           "CONTENT_TYPE" => "application/json", "HTTP_X_HUB_SIGNATURE_256" => flipped)
      expect(last_response.status).to eq(401)
      expect(events_queue_jobs).to be_empty
    end

    it "logs a warning with the caller's IP and the channel, never the secret or the body" do
      secret = secret_of(inbox)
      lines = log_lines do
        post("/webhooks/whatsapp_web/#{inbox.channel.phone_number}", text,
             "CONTENT_TYPE" => "application/json", "REMOTE_ADDR" => "203.0.113.7",
             "HTTP_X_HUB_SIGNATURE_256" => "sha256=#{'0' * 64}")
      end
      expect(last_response.status).to eq(401)
      warning = lines.lines.grep(/webhook rejected/).join
      expect(warning).to start_with("WARN")
      expect(warning).to include("203.0.113.7", inbox.channel.phone_number, "invalid")
      expect(lines).not_to include(secret)
      expect(lines).not_to include("Hello Chatwoot")
    end

    it "says `missing` when there is no header" do
      lines = log_lines { post_webhook(inbox, text, secret: nil) }
      expect(lines).to include("webhook rejected: missing X-Hub-Signature-256")
    end
  end

  describe "channel lookup" do
    it "finds the channel from +digits, bare digits or the number as written" do
      digits = inbox.channel.phone_number.delete("+")
      [inbox.channel.phone_number, digits, "%2B#{digits}"].each do |written|
        WawebNative::Inbound::ChannelLookup.clear!
        expect(post_webhook(written, text, secret: secret_of(inbox)).status).to eq(200), written
      end
    end

    it "finds a channel stored without the plus from +digits" do
      bare = create_web_inbox(phone_number: "5511912345678")
      expect(post_webhook("+5511912345678", text, secret: secret_of(bare)).status).to eq(200)
    end

    it "answers 404 for an unknown number and for a channel of another provider" do
      expect(post_webhook("+15550009999", text, secret: "whatever").status).to eq(404)
      cloud = create_whatsapp_inbox(provider: "whatsapp_cloud")
      expect(post_webhook(cloud, text).status).to eq(404)
      expect(events_queue_jobs).to be_empty
    end

    it "caches a lookup briefly: a burst of webhooks costs one query" do
      secret = secret_of(inbox)
      queries = []
      callback = ->(*, payload) { queries << payload[:sql] if payload[:sql].include?("channel_whatsapp") }
      ActiveSupport::Notifications.subscribed(callback, "sql.active_record") do
        3.times { expect(post_webhook(inbox.channel.phone_number, text, secret: secret).status).to eq(200) }
      end
      expect(queries.size).to eq(1)
    end
  end

  describe "body" do
    it "answers 413 over Payload.max_bytes, from Content-Length, before anything is parsed" do
      big = %({"event":"message","payload":{"body":"#{'a' * WawebNative::Payload.max_bytes}"}})
      expect(post_webhook(inbox, big).status).to eq(413)
      expect(events_queue_jobs).to be_empty
    end

    it "answers 400 for malformed JSON, a non-object and invalid UTF-8, signed correctly" do
      ["{\"event\":", "[1,2]", "not json", "{\"body\":\"\xFF\"}".b].each do |body|
        expect(post_webhook(inbox, body).status).to eq(400), body.inspect
      end
      expect(events_queue_jobs).to be_empty
    end
  end

  describe "queueing" do
    it "answers 503 when the queue is unreachable, so the gateway retries" do
      allow(Webhooks::WhatsappWebEventsJob).to receive(:perform_later).and_raise(RedisClient::CannotConnectError)
      expect(post_webhook(inbox, text).status).to eq(503)
    end
  end

  describe "where it is answered" do
    it "in the middleware stack, before Rails' request log (which would not carry the body anyway)" do
      lines = log_lines { expect(post_webhook(inbox, text).status).to eq(200) }
      expect(lines).not_to include("Started POST \"/webhooks/whatsapp_web")
      expect(lines).not_to include("Hello Chatwoot")
    end

    it "the same way by Webhooks::WhatsappWebController, for stacks without the middleware" do
      controller = Webhooks::WhatsappWebController.action(:process_payload)
      call = lambda do |secret|
        env = Rack::MockRequest.env_for("/webhooks/whatsapp_web/x", method: "POST", input: text,
                                                                    "CONTENT_TYPE" => "application/json")
        env["HTTP_X_HUB_SIGNATURE_256"] = WawebNative::Signature.sign(secret, text) if secret
        env["action_dispatch.request.path_parameters"] = { phone_number: inbox.channel.phone_number }
        controller.call(env).first
      end
      expect([call.call(nil), call.call("wrong"), call.call(secret_of(inbox))]).to eq([401, 401, 200])
      expect(events_queue_jobs.size).to eq(1)
    end

    it "answers 503 when the database cannot be asked" do
      allow(Channel::Whatsapp).to receive(:where).and_raise(ActiveRecord::ConnectionNotEstablished)
      expect(post_webhook("+15550001234", text, secret: "x").status).to eq(503)
    end
  end

  describe "Chatwoot's POST /webhooks/whatsapp/:phone_number" do
    it "applies the same checks for a whatsapp_web channel and queues the gem's job" do
      expect(post_webhook(inbox, text, secret: nil, path: "whatsapp").status).to eq(401)
      expect(post_webhook(inbox, fixture("v8/chat_presence.json"), path: "whatsapp").status).to eq(200)
      expect(events_queue_jobs).to be_empty
      expect(post_webhook(inbox, text, path: "whatsapp").status).to eq(200)
      expect(events_queue_jobs.map { |job| job["wrapped"] }).to eq(["Webhooks::WhatsappWebEventsJob"])
    end

    it "answers 400, 413 and 404 as the gem's route does, before Rails parses anything" do
      expect(post_webhook(inbox, "{\"event\":", path: "whatsapp").status).to eq(400)
      big = %({"event":"message","payload":{"body":"#{'a' * WawebNative::Payload.max_bytes}"}})
      expect(post_webhook(inbox, big, path: "whatsapp").status).to eq(413)
      expect(events_queue_jobs).to be_empty
    end

    it "keeps Chatwoot's behaviour for other providers" do
      cloud = create_whatsapp_inbox(provider: "whatsapp_cloud")
      expect(post_webhook(cloud, text, secret: nil, path: "whatsapp").status).to eq(200)
      expect(sidekiq_jobs("low").map { |job| job["wrapped"] }).to eq(["Webhooks::WhatsappEventsJob"])
    end
  end
end

# frozen_string_literal: true

require_relative "operators_helper"
require "rake"
require "stringio"

# The gem configures the gateway's device webhook itself (GOWA v9+), against the fake gateway.
RSpec.describe "Configuring the gateway for an inbox", :operators do
  let(:gateway) { FakeGateway.start(logged_in: true) }
  let(:account) { create_account }
  let(:admin) { create_member(account) }
  let(:inbox) { create_gateway_inbox(gateway, account: account, phone_number: "+5511987650001") }
  let(:base) { "/api/v1/accounts/#{account.id}/inboxes/#{inbox.id}/whatsapp_web" }
  let(:webhook_url) { "http://localhost:3000/webhooks/whatsapp_web/5511987650001" }

  after { gateway.stop }

  def config = inbox.channel.reload.provider_config
  def configure(force: false) = WawebNative.configure_gateway(inbox, force: force)

  it "creates the inbox's device, sets its webhook to the inbox's URL, secret and events, and confirms it" do
    result = configure
    expect(result).to include(configured: true, state: "configured", device_id: "chatwoot_5511987650001",
                              webhook_url: webhook_url)
    expect(config["device_id"]).to eq("chatwoot_5511987650001")
    hook = gateway.device_webhook("chatwoot_5511987650001")
    expect(hook).to include("webhook_url" => webhook_url, "webhook_secret" => config["webhook_verify_token"],
                            "webhook_insecure_skip_verify" => false)
    expect(hook["webhook_events"].split(",")).to include("message", "message.ack", "message.edited")
    calls = gateway.requests.map { |r| "#{r.method} #{r.path}" }
    expect(calls).to include("POST /devices", "PATCH /devices/chatwoot_5511987650001/webhook",
                             "GET /devices/chatwoot_5511987650001/webhook")
    expect(calls.index("PATCH /devices/chatwoot_5511987650001/webhook"))
      .to be < calls.rindex("GET /devices/chatwoot_5511987650001/webhook") # read back after writing
    expect(result.to_s).not_to include(config["webhook_verify_token"])
    expect(configure).to include(configured: true) # a second run changes nothing and still confirms
    expect(gateway.requests.count { |r| r.method == "POST" && r.path == "/devices" }).to eq(1)
  end

  it "uses the gateway's device already logged in as the inbox's number, and a configured device_id" do
    by_phone = create_gateway_inbox(gateway, account: account, phone_number: "+6281100000001")
    expect(WawebNative.configure_gateway(by_phone)).to include(configured: true, device_id: "org_1")
    expect(by_phone.channel.reload.provider_config["device_id"]).to eq("org_1")

    gateway.add_device("sales")
    named = create_gateway_inbox(gateway, account: account, phone_number: "+5511987650002")
    named.channel.update_columns(provider_config: named.channel.provider_config.merge("device_id" => "sales"))
    expect(WawebNative.configure_gateway(named)).to include(configured: true, device_id: "sales")
    expect(gateway.device_webhook("sales")["webhook_url"]).to end_with("/webhooks/whatsapp_web/5511987650002")
  end

  it "replaces a blank or default secret with a random one before handing it to the gateway" do
    inbox.channel.update_columns(provider_config: config.merge("webhook_verify_token" => "secret"))
    expect(configure).to include(configured: true)
    expect(config["webhook_verify_token"]).to match(/\A\h{32}\z/)
    expect(gateway.device_webhook(config["device_id"])["webhook_secret"]).to eq(config["webhook_verify_token"])
  end

  it "never silently replaces a webhook that points elsewhere: the console needs force: true" do
    configure
    slot = config["device_id"]
    gateway.set_device_webhook(slot, "https://n8n.example/hook", secret: "theirs")
    result = configure
    expect(result).to include(configured: false, state: "elsewhere", current_url: "https://n8n.example/hook")
    expect(result[:message]).to include("already sends its webhooks to https://n8n.example/hook", "force: true")
    expect(gateway.device_webhook(slot)["webhook_url"]).to eq("https://n8n.example/hook")
    expect(WawebNative.status(inbox)).to include(gateway_configured: false)
    expect(WawebNative.status(inbox)[:gateway_configuration]).to include("points at https://n8n.example/hook")

    expect(configure(force: true)).to include(configured: true)
    expect(gateway.device_webhook(slot)["webhook_url"]).to eq(webhook_url)

    gateway.set_device_webhook(slot, "https://bot:hunter2@n8n.example/hook")
    shown = configure.to_s
    expect(shown).to include("https://n8n.example/hook")
    expect(shown).not_to include("hunter2")
  end

  it "a v8 or v7 gateway (404 on these routes) gets a clear sentence and is left as it was" do
    gateway.version = 8
    result = configure
    expect(result).to include(configured: false, state: "too_old")
    expect(gateway.requests.map { |r| "#{r.method} #{r.path}" }).not_to include("POST /devices")
    expect(config).not_to have_key("device_id") # the inbox keeps talking to the device it had
    by_phone = create_gateway_inbox(gateway, account: account, phone_number: "+6281100000001")
    expect(WawebNative.configure_gateway(by_phone)).to include(state: "too_old")
    expect(by_phone.channel.reload.provider_config).not_to have_key("device_id")
    expect(result[:message]).to eq(WawebNative::Operators::GatewayConfiguration::TOO_OLD)
    gateway.version = 7
    expect(configure).to include(state: "too_old")
    expect(WawebNative.status(inbox)).to include(gateway_configured: false,
                                                 gateway_configuration: "gateway not configured by the gem yet " \
                                                                        "(no device_id)")
  end

  it "status, the doctor and rake report whether the gateway is configured, never the secret" do
    expect(WawebNative.status(inbox)).to include(gateway_configured: false)
    configure
    status = WawebNative.status(inbox)
    expect(status).to include(gateway_configured: true)
    expect(status[:gateway_configuration])
      .to eq("gateway configured: device chatwoot_5511987650001 sends to #{webhook_url}")
    out = StringIO.new
    WawebNative.doctor(inbox, out: out)
    expect(out.string).to include("[OK  ] gateway webhook: gateway configured")
    expect(out.string).not_to include(config["webhook_verify_token"])

    gateway.set_device_webhook(config["device_id"], webhook_url, secret: "old")
    out = StringIO.new
    WawebNative.doctor(inbox, out: out)
    expect(out.string)
      .to include("[WARN] gateway webhook: not configured: the device's webhook is signed with another secret")
  end

  describe "automatically, right after an inbox is created" do
    around do |example|
      WawebNative::Operators::GatewayConfiguration.automatic = true
      example.run
    ensure
      WawebNative::Operators::GatewayConfiguration.automatic = false
    end

    it "through Chatwoot's own inbox API: a job configures the gateway; a second gateway that is down is only logged" do
      post "/api/v1/accounts/#{account.id}/inboxes",
           JSON.generate(name: "Sales", channel: { type: "whatsapp", phone_number: "+5511987650009",
                                                   provider: "whatsapp_web",
                                                   provider_config: { api_base_url: gateway.url,
                                                                      basic_auth_username: gateway.username,
                                                                      basic_auth_password: gateway.password } }),
           api_headers(admin)
      expect(last_response.status).to eq(200)
      created = Inbox.find(JSON.parse(last_response.body)["id"])
      expect(sidekiq_jobs("default").map { |j| j["wrapped"] }).to eq(["WhatsappWeb::ConfigureGatewayJob"])
      drain_sidekiq
      expect(created.channel.reload.provider_config["device_id"]).to eq("chatwoot_5511987650009")
      expect(gateway.device_webhook("chatwoot_5511987650009")["webhook_url"])
        .to eq("http://localhost:3000/webhooks/whatsapp_web/5511987650009")

      down = create_gateway_inbox(gateway, account: account, phone_number: "+5511987650010")
      gateway.mode = :refuse
      lines = LogCapture.during { drain_sidekiq }
      gateway.mode = nil
      expect(lines).to include("inbox #{down.id}: the gateway was not configured automatically: Cannot connect",
                               "waweb:configure_gateway[#{down.id}]")
      expect(Inbox.exists?(down.id)).to be(true)
    end

    it "is off while a caller configures inline (the setup page)" do
      WawebNative::Operators::GatewayConfiguration.without_automatic { inbox }
      expect(sidekiq_jobs("default")).to be_empty
    end
  end

  describe "rake waweb:configure_gateway" do
    def run(*args)
      rake = Rake::Application.new
      Rake.application = rake
      Rails.application.load_tasks
      out = StringIO.new
      $stdout = out
      status = 0
      begin
        rake["waweb:configure_gateway"].invoke(*args)
      rescue SystemExit => e
        status = e.status
      ensure
        $stdout = STDOUT
      end
      [out.string, status]
    end

    it "configures, says what differs, and takes ,force" do
      out, status = run(inbox.id.to_s)
      expect(status).to eq(0)
      expect(out).to include("gateway configured: device chatwoot_5511987650001")
      gateway.set_device_webhook("chatwoot_5511987650001", "https://x.example/h")
      out, status = run(inbox.id.to_s)
      expect([status, out]).to match([1, a_string_including("already sends its webhooks to https://x.example/h",
                                                            "waweb:configure_gateway[#{inbox.id},force]")])
      out, status = run(inbox.id.to_s, "force")
      expect([status, out]).to match([0, a_string_including("gateway configured")])
    end
  end

  describe "the management API" do
    def post_configure(body = {})
      post "#{base}/configure_gateway", JSON.generate(body), api_headers(admin)
      [last_response.status, JSON.parse(last_response.body)]
    end

    it "answers 200 configured, 409 for a webhook elsewhere (then force), 422 for an old gateway, 403 for agents" do
      status, body = post_configure
      expect([status, body["configured"]]).to eq([200, true])
      expect(body["webhook_url"]).to eq("http://example.org/webhooks/whatsapp_web/5511987650001")
      gateway.set_device_webhook(config["device_id"], "https://x.example/h")
      status, body = post_configure
      expect([status, body["kind"], body["current_url"]]).to eq([409, "webhook_elsewhere", "https://x.example/h"])
      expect(post_configure(force: true).first).to eq(200)

      gateway.version = 8
      status, body = post_configure
      expect([status, body["kind"]]).to eq([422, "gateway_too_old"])
      expect(body["flags"]).to include("--webhook=http://example.org/webhooks/whatsapp_web/5511987650001")

      agent = create_member(account, role: :agent)
      post "#{base}/configure_gateway", "{}", api_headers(agent)
      expect(last_response.status).to eq(403)
    end

    it "answers 502 with the sentence when the gateway is down" do
      inbox
      gateway.fail_next(:refuse)
      status, body = post_configure
      expect([status, body["kind"]]).to eq([502, "unreachable"])
    end
  end
end

# frozen_string_literal: true

require_relative "operators_helper"
require "rake"
require "stringio"

RSpec.describe "WhatsApp Web console helpers and rake tasks", :operators do
  let(:gateway) { FakeGateway.start(logged_in: true) }
  let(:inbox) { create_gateway_inbox(gateway) }
  let(:secret) { inbox.channel.provider_config["webhook_verify_token"] }

  after { gateway.stop }

  # The tasks as the host's `rake` sees them: loaded through the engine's rake_tasks block.
  def self.rake
    @rake ||= Rake::Application.new.tap do |rake|
      Rake.application = rake
      Rails.application.load_tasks
    end
  end

  def run_task(name, *args)
    task = self.class.rake[name]
    task.reenable
    out = StringIO.new
    $stdout = out
    status = 0
    begin
      task.invoke(*args)
    rescue SystemExit => e
      status = e.status
    ensure
      $stdout = STDOUT
    end
    [out.string, status]
  end

  def set_config(**changes)
    channel = inbox.channel
    channel.update_columns(provider_config: channel.provider_config.merge(changes.transform_keys(&:to_s)))
  end

  describe "rake waweb:doctor[inbox_id]" do
    it "passes every check on a healthy inbox, one line each, printing no secret" do
      out, status = run_task("waweb:doctor", inbox.id.to_s)
      expect(status).to eq(0)
      lines = out.lines.map(&:strip)
      expect(lines).to include("[OK  ] gateway: reachable at #{gateway.url}", "[OK  ] credentials: Basic Auth accepted",
                               "[OK  ] login: WhatsApp is logged in as 6281100000001@s.whatsapp.net",
                               "All checks passed.")
      expect(lines.grep(/\[OK  \] webhook secret/).size).to eq(1)
      expect(lines.grep(/\[OK  \] clock: the gateway's clock and ours agree/).size).to eq(1)
      expect(out).not_to include(secret)
      expect(out).not_to include(gateway.password)
    end

    it "fails on an unreachable gateway and says to start it or fix api_base_url" do
      set_config(api_base_url: "http://127.0.0.1:1")
      out, status = run_task("waweb:doctor", inbox.id.to_s)
      expect(status).to eq(1)
      expect(out).to include("[FAIL] gateway: Cannot connect to the WhatsApp gateway at http://127.0.0.1:1. " \
                             "Start the gateway or fix api_base_url")
      expect(out).to include("[SKIP] credentials", "Fix the [FAIL] lines above")
    end

    it "fails on wrong credentials without printing them" do
      set_config(basic_auth_password: "wrong-password-123")
      out, status = run_task("waweb:doctor", inbox.id.to_s)
      expect(status).to eq(1)
      expect(out).to include("[FAIL] credentials: The gateway refused the credentials. Check the Basic Auth " \
                             "username and password.")
      expect(out).not_to include("wrong-password-123")
    end

    it "fails when WhatsApp is not logged in, pointing at the connection page" do
      gateway.logged_in = false
      out, status = run_task("waweb:doctor", inbox.id.to_s)
      expect(status).to eq(1)
      expect(out).to include("[FAIL] login: WhatsApp is not connected. Scan the QR code again on the connection page.")
    end

    it "refuses the gateway's default secret and a blank one" do
      set_config(webhook_verify_token: "secret")
      out, status = run_task("waweb:doctor", inbox.id.to_s)
      expect(status).to eq(1)
      expect(out).to include("[FAIL] webhook secret: The webhook secret is the gateway's default \"secret\"")

      set_config(webhook_verify_token: "  ")
      out, status = run_task("waweb:doctor", inbox.id.to_s)
      expect(status).to eq(1)
      expect(out).to include("[FAIL] webhook secret: The inbox has no webhook secret")
    end

    it "warns (without failing) when the gateway's clock is more than 30 s off" do
      gateway.clock_offset = 120
      out, status = run_task("waweb:doctor", inbox.id.to_s)
      expect(status).to eq(0)
      expect(out).to match(/\[WARN\] clock: the gateway's clock is 1[12]\d s ahead of ours: .*NTP/)

      gateway.clock_offset = -90
      out, = run_task("waweb:doctor", inbox.id.to_s)
      expect(out).to match(/\[WARN\] clock: the gateway's clock is (89|9\d) s behind ours/)
    end

    it "checks every whatsapp_web inbox when no id is given" do
      first = inbox
      other = create_gateway_inbox(gateway)
      create_whatsapp_inbox(provider: "whatsapp_cloud")
      out, status = run_task("waweb:doctor")
      expect(status).to eq(0)
      expect(out.scan(/^Inbox (\d+) /).flatten.map(&:to_i)).to eq([first.id, other.id])
    end
  end

  describe "rake waweb:status[inbox_id]" do
    it "says logged in or not, and why not when the gateway fails" do
      out, status = run_task("waweb:status", inbox.id.to_s)
      expect([out.strip, status]).to eq(["Inbox #{inbox.id} (#{inbox.channel.phone_number}): logged in, connected, " \
                                         "device 6281100000001@s.whatsapp.net; gateway not configured by the gem " \
                                         "yet (no device_id)", 0])
      gateway.fail_next(:unauthorized)
      out, status = run_task("waweb:status", inbox.id.to_s)
      expect([out.strip, status]).to eq(["Inbox #{inbox.id}: #{WawebNative::Outbound::Failure::BAD_CREDENTIALS}", 1])
    end
  end

  describe "rake waweb:webhook_url[inbox_id]" do
    it "prints the gateway flags with the secret and the Basic Auth pair (the operator asked for them)" do
      out, status = run_task("waweb:webhook_url", inbox.id.to_s)
      expect(status).to eq(0)
      digits = inbox.channel.phone_number.delete("+")
      expect(out.lines.map(&:strip)).to include(
        "--webhook=http://localhost:3000/webhooks/whatsapp_web/#{digits}",
        "--webhook-secret=#{secret}",
        "--basic-auth=#{gateway.username}:#{gateway.password}",
        "WHATSAPP_WEBHOOK_SECRET=#{secret}"
      )
    end

    it "uses FRONTEND_URL and warns about the default secret" do
      set_config(webhook_verify_token: "secret")
      ENV["FRONTEND_URL"] = "https://chat.example.com/"
      out, = run_task("waweb:webhook_url", inbox.id.to_s)
      expect(out).to include("--webhook=https://chat.example.com/webhooks/whatsapp_web/")
      expect(out).to include("# WARNING: The webhook secret is the gateway's default")
    ensure
      ENV.delete("FRONTEND_URL")
    end
  end

  describe "console helpers" do
    it "status, devices, logout, login_qr, pairing_code and reconnect reach the gateway through the provider" do
      expect(WawebNative.status(inbox)).to include(connected: true, logged_in: true, inbox_id: inbox.id)
      expect(WawebNative.status(inbox.id)[:logged_in]).to be(true)
      expect(WawebNative.devices(inbox)).to eq([{ name: "Fake", device: "6281100000001@s.whatsapp.net" }])
      expect(WawebNative.logout(inbox)).to be(true)
      expect(WawebNative.status(inbox)[:logged_in]).to be(false)
      qr = WawebNative.login_qr(inbox)
      expect(qr[:data_url]).to start_with("data:image/png;base64,")
      expect(qr[:expires_in]).to eq(30)
      expect(WawebNative.pairing_code(inbox, "+55 11 98765-4321")).to match(/\A[A-Z]{4}-[A-Z]{4}\z/)
      expect(WawebNative.reconnect(inbox)).to be(true)
    end

    it "gives the flags, the page URL, a doctor report and a config test" do
      expect(WawebNative.gateway_flags(inbox)).to include("--webhook-secret=#{secret}")
      expect(WawebNative.connection_page_url(inbox)).to eq("http://localhost:3000/whatsapp_web/inboxes/#{inbox.id}/connect")
      out = StringIO.new
      expect(WawebNative.doctor(inbox, out: out)).to be(true)
      expect(out.string).to include("All checks passed.")
      expect(WawebNative.test_config("api_base_url" => gateway.url, "basic_auth_username" => gateway.username,
                                     "basic_auth_password" => "nope"))
        .to include(reachable: true, credentials_valid: false)
    end

    it "raises an actionable error for a gateway that is down, and refuses a non-whatsapp_web inbox" do
      inbox
      gateway.fail_next(:refuse)
      expect { WawebNative.status(inbox) }
        .to raise_error(WawebNative::Gateway::ConnectionError, /Cannot connect to the WhatsApp gateway/)
      cloud = create_whatsapp_inbox(provider: "whatsapp_cloud")
      expect { WawebNative.status(cloud) }
        .to raise_error(WawebNative::Operators::Connection::NotWhatsappWeb, /not a WhatsApp Web inbox/)
    end
  end
end

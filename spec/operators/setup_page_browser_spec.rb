# frozen_string_literal: true

require_relative "operators_helper"
require_relative "support/page_in_browser"

# The setup page in a real browser (headless Chromium through chromedriver), served by the
# host on Puma: fill, test, create, land on the connection page with the QR code; the fake
# gateway "scans" and sends a first signed message through the device webhook the gem set.
# Screenshots: tmp/setup_page_tested.png, tmp/setup_page_connect.png.
RSpec.describe "WhatsApp Web setup page in Chromium", :operators, :truncation do
  include_context "with an operator's page in Chromium"

  let(:slot) { "chatwoot_5511987650200" }
  let(:screenshot) { File.expand_path("../../tmp/setup_page_tested.png", __dir__) }

  around do |example|
    frontend = ENV.delete("FRONTEND_URL") # the webhook URL must be the Puma host the browser uses
    example.run
  ensure
    ENV["FRONTEND_URL"] = frontend if frontend
  end

  def fill(browser)
    browser.type("#name", "Sales")
    browser.type("#phone_number", "+5511987650200")
    browser.type("#api_base_url", gateway.url)
    browser.type("#basic_auth_username", gateway.username)
    browser.type("#basic_auth_password", gateway.password)
  end

  def expect_test_results(browser)
    browser.click("#test-button")
    browser.wait_for("document.body.dataset.state === 'tested'", message: "the test results")
    expect(%w[test-reachable test-credentials test-logged-in].map { |id| text_of(browser, id) })
      .to eq(["yes", "yes", "Not yet: you will scan the QR code after creating the inbox."])
    expect(browser.execute("return document.getElementById('error').hidden")).to be(true)
    browser.screenshot(screenshot)
  end

  def expect_connection_page_with_qr(browser, inbox)
    browser.wait_for("location.pathname === '/whatsapp_web/inboxes/#{inbox.id}/connect'",
                     message: "the connection page")
    browser.wait_for("document.getElementById('qr') && document.getElementById('qr').naturalWidth > 0",
                     message: "the QR image")
    expect(browser.current_url).not_to include("token=")
    browser.screenshot(screenshot.sub("_tested", "_connect"))
  end

  it "tests, creates the inbox, opens the QR, and the first message arrives through the gateway's device webhook" do
    with_puma_host do |url|
      with_browser do |browser|
        browser.visit("#{url}/whatsapp_web/setup?token=#{token_of(admin)}")
        browser.wait_for("document.getElementById('setup-form')", message: "the setup form")
        expect(browser.current_url).not_to include("token=")
        fill(browser)
        expect_test_results(browser)

        browser.click("#create-button")
        browser.wait_for("location.pathname.indexOf('/connect') > 0", message: "the redirect to the connection page")
        inbox = Inbox.sole
        expect(inbox.members).to eq([admin])
        expect_connection_page_with_qr(browser, inbox)
        expect(gateway.requests.map { |r| [r.path, r.headers["x-device-id"]] }).to include(["/app/login", slot])
        gateway.scan!(slot, "5511987650200") # the phone scans the code
        browser.wait_for("document.body.dataset.status === 'logged_in'", message: "the logged-in status")
        hook = gateway.device_webhook(slot)
        expect(hook).to include("webhook_url" => "#{url}/webhooks/whatsapp_web/5511987650200",
                                "webhook_secret" => inbox.channel.reload.provider_config["webhook_verify_token"])
        delivered = gateway.deliver_event(slot, "message", { id: "FIRST1", chat_id: "628123456789@s.whatsapp.net",
                                                             from: "628123456789@s.whatsapp.net", from_name: "Ana",
                                                             body: "Olá!", timestamp: "2026-08-01T10:00:00Z" })
        expect(delivered).to eq([["#{url}/webhooks/whatsapp_web/5511987650200", 200]])
        drain_sidekiq
        expect(Message.where(inbox_id: inbox.id).pluck(:source_id, :content)).to eq([%w[FIRST1 Olá!]])
      end
    end
  end

  it "the connection page's \"Configure the gateway for me\" asks before replacing a webhook set elsewhere" do
    inbox = create_gateway_inbox(gateway, account: account, phone_number: "+5511987650300")
    with_puma_host do |url|
      WawebNative::Operators::Connection.new(inbox, frontend_url: url).configure_gateway
      device = inbox.channel.reload.provider_config["device_id"]
      gateway.set_device_webhook(device, "https://n8n.example/h")
      with_browser do |browser|
        browser.visit("#{url}/whatsapp_web/inboxes/#{inbox.id}/connect?token=#{token_of(admin)}")
        browser.wait_for("document.getElementById('configure-card').dataset.configured === 'false'",
                         message: "the configuration state")
        expect(text_of(browser, "configure-state")).to eq("not configured: the device's webhook points at " \
                                                          "https://n8n.example/h, is signed with another secret")
        browser.execute("window.asked = null; window.confirm = function (q) { window.asked = q; return true; };")
        browser.click("#configure-button")
        browser.wait_for("document.getElementById('configure-card').dataset.configured === 'true'",
                         message: "the configured state")
        expect(browser.execute("return window.asked")).to include("already sends its webhooks to https://n8n.example/h")
        expect(text_of(browser, "configure-state")).to start_with("Done. gateway configured: device #{device}")
        expect(gateway.device_webhook(device)["webhook_url"]).to eq("#{url}/webhooks/whatsapp_web/5511987650300")
      end
    end
  end

  it "shows a clear sentence for a wrong password, and creates nothing" do
    with_puma_host do |url|
      with_browser do |browser|
        browser.visit("#{url}/whatsapp_web/setup?token=#{token_of(admin)}")
        fill(browser)
        browser.type("#basic_auth_password", "-wrong")
        browser.click("#create-button")
        browser.wait_for("!document.getElementById('error').hidden", message: "the error box")
        expect(text_of(browser, "error")).to eq("Problem: #{WawebNative::Outbound::Failure::BAD_CREDENTIALS}")
        expect(browser.execute("return document.getElementById('error').dataset.kind")).to eq("bad_credentials")
        expect(Inbox.count).to eq(0)
      end
    end
  end
end

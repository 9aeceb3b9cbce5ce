# frozen_string_literal: true

require_relative "operators_helper"
require_relative "support/webdriver"

# The connection page in a real browser (headless Chromium through chromedriver), served by
# the host on Puma, talking to the management API, which talks to the fake gateway.
RSpec.describe "WhatsApp Web connection page in Chromium", :operators, :truncation do
  SCREENSHOT = File.expand_path("../../tmp/connection_page.png", __dir__)

  let(:gateway) { FakeGateway.start(logged_in: false) }
  let(:account) { create_account }
  let(:admin) { create_member(account) }
  let(:inbox) { create_gateway_inbox(gateway, account: account) }

  after { gateway.stop }

  it "shows and renews the QR code, gives a pairing code, follows login/logout and shows gateway errors" do
    raise "Chromium/chromedriver missing: run bin/setup" unless WebDriverSession.available?

    gateway.qr_duration = 2 # seconds: the countdown must fetch a new code quickly
    with_puma_host do |url|
      browser = WebDriverSession.start
      begin
        browser.visit("#{url}/whatsapp_web/inboxes/#{inbox.id}/connect?token=#{token_of(admin)}")

        # The QR image renders (a decoded PNG) and the status says not logged in.
        browser.wait_for("document.getElementById('qr').complete && document.getElementById('qr').naturalWidth > 0",
                         message: "the QR image")
        expect(browser.execute("return document.getElementById('qr').naturalWidth")).to eq(16)
        browser.wait_for("document.body.dataset.status === 'logged_out'", message: "the logged-out status")
        expect(browser.execute("return document.getElementById('status-text').textContent"))
          .to eq("Not connected. Scan the QR code or use a pairing code.")
        expect(browser.execute("return document.getElementById('qr-countdown').textContent")).to match(/New code in \d+ s/)
        # The token left the address bar once the page had it.
        expect(browser.current_url).not_to include("token=")
        # The exact gateway settings are on the page.
        digits = inbox.channel.phone_number.delete("+")
        secret = inbox.channel.provider_config["webhook_verify_token"]
        flags = browser.execute("return document.getElementById('gateway-flags').textContent")
        expect(flags).to include("--webhook=#{url}/webhooks/whatsapp_web/#{digits}", "--webhook-secret=#{secret}",
                                 "--basic-auth=#{gateway.username}:#{gateway.password}")
        browser.screenshot(SCREENSHOT)

        # Expiry fetches a new code.
        logins = gateway.requests.count { |r| r.path == "/app/login" }
        browser.wait_for("Number(document.getElementById('qr').dataset.generation) >= 2", message: "a renewed QR")
        expect(gateway.requests.count { |r| r.path == "/app/login" }).to be > logins

        # A pairing code for a phone number.
        browser.type("#code-phone", "5511987654321")
        browser.click("#code-button")
        code = browser.wait_for("document.getElementById('code-result').dataset.code", message: "a pairing code")
        expect(code).to match(/\A[A-Z]{4}-[A-Z]{4}\z/)
        expect(browser.execute("return document.getElementById('code-result').textContent")).to eq("Pairing code: #{code}")

        # The phone scans: the polled status flips and the QR goes away.
        gateway.logged_in = true
        browser.wait_for("document.body.dataset.status === 'logged_in'", message: "the logged-in status")
        expect(browser.execute("return document.getElementById('qr').hidden")).to be(true)
        expect(browser.execute("return document.getElementById('status-device').textContent"))
          .to eq("6281100000001@s.whatsapp.net")
        browser.screenshot(SCREENSHOT.sub(".png", "_logged_in.png"))

        # Logout from the page: the gateway logs out and a QR is offered again.
        browser.execute("window.confirm = function () { return true; };")
        browser.click("#logout-button")
        browser.wait_for("document.body.dataset.status === 'logged_out'", message: "the status after logout")
        expect(gateway.logged_in).to be(false)
        browser.wait_for("!document.getElementById('qr').hidden", message: "a QR after logout")

        # The gateway goes down: the page says what is wrong, in the provider's words.
        gateway.mode = :refuse
        browser.wait_for("!document.getElementById('error').hidden", message: "the error box")
        expect(browser.execute("return document.getElementById('error').textContent"))
          .to eq("Problem: Cannot connect to the WhatsApp gateway at #{gateway.url}.")
        expect(browser.execute("return document.body.dataset.status")).to eq("error")
        browser.screenshot(SCREENSHOT.sub(".png", "_gateway_down.png"))

        # It comes back: the error clears on the next poll.
        gateway.mode = nil
        browser.wait_for("document.getElementById('error').hidden", message: "the error to clear")
      ensure
        browser.quit
      end
    end
  end
end

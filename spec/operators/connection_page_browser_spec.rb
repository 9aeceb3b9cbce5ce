# frozen_string_literal: true

require_relative "operators_helper"
require_relative "support/page_in_browser"

# The connection page in a real browser (headless Chromium through chromedriver), served by
# the host on Puma, talking to the management API, which talks to the fake gateway.
# Screenshots: tmp/connection_page.png (QR, not logged in), tmp/connection_page_logged_in.png,
# tmp/connection_page_gateway_down.png.
RSpec.describe "WhatsApp Web connection page in Chromium", :operators, :truncation do
  include_context "with an operator's page in Chromium"

  let(:inbox) { create_gateway_inbox(gateway, account: account) }
  let(:screenshot) { File.expand_path("../../tmp/connection_page.png", __dir__) }

  def login_requests = gateway.requests.count { |r| r.path == "/app/login" }

  # The QR image renders (a decoded PNG), the status says not logged in, settings are exact.
  def expect_qr_page(browser)
    browser.wait_for("document.getElementById('qr').complete && document.getElementById('qr').naturalWidth > 0",
                     message: "the QR image")
    expect(browser.execute("return document.getElementById('qr').naturalWidth")).to eq(16)
    browser.wait_for("document.body.dataset.status === 'logged_out'", message: "the logged-out status")
    expect(text_of(browser, "status-text")).to eq("Not connected. Scan the QR code or use a pairing code.")
    expect(text_of(browser, "qr-countdown")).to match(/New code in \d+ s/)
    expect(browser.current_url).not_to include("token=") # the page dropped it from the address bar
  end

  def expect_gateway_settings(browser, url)
    digits = inbox.channel.phone_number.delete("+")
    expect(text_of(browser, "gateway-flags")).to include(
      "--webhook=#{url}/webhooks/whatsapp_web/#{digits}",
      "--webhook-secret=#{inbox.channel.provider_config['webhook_verify_token']}",
      "--basic-auth=#{gateway.username}:#{gateway.password}"
    )
  end

  def expect_pairing_code(browser)
    browser.type("#code-phone", "5511987654321")
    browser.click("#code-button")
    code = browser.wait_for("document.getElementById('code-result').dataset.code", message: "a pairing code")
    expect(code).to match(/\A[A-Z]{4}-[A-Z]{4}\z/)
    expect(text_of(browser, "code-result")).to eq("Pairing code: #{code}")
  end

  # The gateway goes down: the page says what is wrong; it comes back: the error clears.
  def expect_gateway_error_shown(browser)
    gateway.mode = :refuse
    browser.wait_for("!document.getElementById('error').hidden", message: "the error box")
    expect(text_of(browser, "error")).to eq("Problem: Cannot connect to the WhatsApp gateway at #{gateway.url}.")
    expect(browser.execute("return document.body.dataset.status")).to eq("error")
    browser.screenshot(screenshot.sub(".png", "_gateway_down.png"))
    gateway.mode = nil
    browser.wait_for("document.getElementById('error').hidden", message: "the error to clear")
  end

  it "shows and renews the QR code, gives a pairing code, follows login/logout and shows gateway errors" do
    gateway.qr_duration = 2 # seconds: the countdown must fetch a new code quickly
    with_puma_host do |url|
      with_browser do |browser|
        browser.visit("#{url}/whatsapp_web/inboxes/#{inbox.id}/connect?token=#{token_of(admin)}")
        expect_qr_page(browser)
        expect_gateway_settings(browser, url)
        browser.screenshot(screenshot)

        logins = login_requests # expiry fetches a new code
        browser.wait_for("Number(document.getElementById('qr').dataset.generation) >= 2", message: "a renewed QR")
        expect(login_requests).to be > logins

        expect_pairing_code(browser)

        gateway.logged_in = true # the phone scans: the polled status flips, the QR goes away
        browser.wait_for("document.body.dataset.status === 'logged_in' && document.getElementById('qr').hidden",
                         message: "the logged-in status")
        expect(text_of(browser, "status-device")).to eq("6281100000001@s.whatsapp.net")
        browser.screenshot(screenshot.sub(".png", "_logged_in.png"))

        browser.execute("window.confirm = function () { return true; };") # logout from the page
        browser.click("#logout-button")
        browser.wait_for("document.body.dataset.status === 'logged_out'", message: "the status after logout")
        expect(gateway.logged_in).to be(false)
        browser.wait_for("!document.getElementById('qr').hidden", message: "a QR after logout")

        expect_gateway_error_shown(browser)
      end
    end
  end
end

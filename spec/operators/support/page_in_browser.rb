# frozen_string_literal: true

require_relative "webdriver"

# What the operators' browser specs share: a FakeGateway not logged in yet, an account
# and its administrator, and headless Chromium for a block (with_puma_host serves the page).
RSpec.shared_context "with an operator's page in Chromium" do
  let(:gateway) { FakeGateway.start(logged_in: false) }
  let(:account) { create_account }
  let(:admin) { create_member(account) }

  after { gateway.stop }

  def text_of(browser, id) = browser.execute("return document.getElementById(#{id.to_json}).textContent")

  # A browser for the block, quit after it.
  def with_browser
    raise "Chromium/chromedriver missing: run bin/setup" unless WebDriverSession.available?

    browser = WebDriverSession.start
    yield browser
  ensure
    browser&.quit
  end
end

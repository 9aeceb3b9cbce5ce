# frozen_string_literal: true

module WawebNative
  # Rails console helpers. Each takes an Inbox or an inbox id and raises
  # WawebNative::Gateway::Error with a sentence that says what to do when the gateway fails.
  #   WawebNative.status(3)            # => {connected: true, logged_in: true, device_id: "...", webhook_url: ...}
  #   WawebNative.login_qr(3)          # => {data_url: "data:image/png;base64,...", expires_in: 30, device_id: ...}
  #   WawebNative.pairing_code(3, "5511987654321") # => "ABCD-EFGH"
  #   WawebNative.doctor(3)            # prints one line per check, => true when all pass
  #   WawebNative.import_history(3, days: 7) # => {state: "queued", chats_done: 0, ...}
  module Console
    def connection(inbox)
      inbox = ::Inbox.find(inbox) unless inbox.respond_to?(:channel)
      Operators::Connection.new(inbox)
    end

    def status(inbox) = connection(inbox).status
    def login_qr(inbox) = connection(inbox).login_qr
    def pairing_code(inbox, phone) = connection(inbox).login_with_code(phone)[:pair_code]
    def logout(inbox) = connection(inbox).logout
    def reconnect(inbox) = connection(inbox).reconnect
    def devices(inbox) = connection(inbox).devices
    def gateway_flags(inbox) = connection(inbox).gateway_flags
    def webhook_url(inbox) = connection(inbox).webhook_url

    # Points the gateway's device webhook (GOWA v9+) at the inbox; {configured:, message:, ...}.
    # A webhook already pointing elsewhere is replaced only with force: true.
    def configure_gateway(inbox, force: false) = connection(inbox).configure_gateway(force: force).to_h

    def doctor(inbox, out: $stdout)
      Operators::Tasks.doctor(connection(inbox).inbox.id, out: out)
    end

    # Where an administrator opens the connection page (append ?token=<their access token>).
    def connection_page_url(inbox)
      id = inbox.respond_to?(:id) ? inbox.id : Integer(inbox.to_s, 10)
      base = ENV.fetch("FRONTEND_URL", "").strip.chomp("/")
      base = Operators::Connection::DEFAULT_FRONTEND_URL if base.empty?
      "#{base}/whatsapp_web/inboxes/#{id}/connect"
    end

    # Queues a history import of the last `days` days; => {state:, chats_done:, chats_total:, messages:, ...}.
    def import_history(inbox, days:) = History.start(connection(inbox).inbox, days: days)

    # Where an administrator adds a whatsapp_web inbox (append ?token=<their access token>).
    def setup_page_url
      base = ENV.fetch("FRONTEND_URL", "").strip.chomp("/")
      base = Operators::Connection::DEFAULT_FRONTEND_URL if base.empty?
      "#{base}/whatsapp_web/setup"
    end

    # Tries an unsaved gateway config: {reachable:, credentials_valid:, logged_in:, ...}.
    def test_config(config) = Operators::ConfigTest.new(config).call
  end

  extend Console
end

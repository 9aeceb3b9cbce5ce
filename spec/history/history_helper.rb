# frozen_string_literal: true

require_relative "../inbound/inbound_helper"

# History import specs: a FakeGateway of their own whose chat store each example fills.
module HistoryHelpers
  OWN_JID = "6281100000001@s.whatsapp.net" # the fake gateway's device

  def gateway
    @gateway ||= FakeGateway.start
  end

  def history_inbox(**attrs)
    @history_inbox ||= create_web_inbox(gateway: gateway, phone_number: "+6281100000001", **attrs)
  end

  # Runs a whole import now, in this thread, as the job does.
  def import!(inbox = history_inbox, days: 7, media_budget: nil)
    state = WawebNative::History::ImportState.prepare!(inbox.id, days: days)
    WawebNative::History::ImportState.claim(inbox.id, "spec")
    options = media_budget ? { media_budget: media_budget } : {}
    WawebNative::History::Importer.new(inbox, state.reload, **options).run
  end

  def import_state(inbox = history_inbox)
    WawebNative::History::ImportState.find_by(inbox_id: inbox.id)
  end

  def ago(seconds) = Time.now.utc - seconds

  # A live webhook of the history inbox's own device (webhooks are routed by device).
  def live_text(**options)
    InboundBodies.text(**options).sub(InboundBodies::OWN_JID, OWN_JID)
  end
end

RSpec.configure do |config|
  config.include InboundHelpers, :history
  config.include HistoryHelpers, :history
  config.before(:each, :history) { WawebNative::Inbound::ChannelLookup.clear! }
  config.after(:each, :history) { @gateway&.stop }
  # Several workers take connections from the import's own pool, which cannot see an
  # example's uncommitted transaction: those run one worker on the example's connection;
  # :truncation examples (committed records) run the workers as in production.
  config.around(:each, :history) do |example|
    previous = ENV.fetch("WAWEB_IMPORT_THREADS", nil)
    ENV["WAWEB_IMPORT_THREADS"] = example.metadata[:truncation] ? "4" : "1"
    example.run
  ensure
    ENV["WAWEB_IMPORT_THREADS"] = previous
  end
end

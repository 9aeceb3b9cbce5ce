# frozen_string_literal: true

module WawebNative
  # The inbound path inside the host app: webhook intake (channel lookup, checks,
  # queueing) and the pieces Whatsapp::IncomingMessageWhatsappWebService is built
  # from. They reference the host's models only when called, so they load with the
  # engine and need no reloading.
  module Inbound
    autoload :ProcessedEvent, File.expand_path("inbound/processed_event", __dir__)
  end
end

require_relative "inbound/source_id"
require_relative "inbound/target_not_stored_yet"
require_relative "inbound/channel_lookup"
require_relative "inbound/device_directory"
require_relative "inbound/event_router"
require_relative "inbound/events_queue"
require_relative "inbound/webhook_receiver"
require_relative "inbound/webhook_middleware"
require_relative "inbound/gateway_access"
require_relative "inbound/known_records"
require_relative "inbound/contact_resolver"
require_relative "inbound/contact_name"
require_relative "inbound/contact_avatar"
require_relative "inbound/conversation_finder"
require_relative "inbound/media_fetcher"
require_relative "inbound/message_content"
require_relative "inbound/message_presentation"
require_relative "inbound/message_mutations"
require_relative "inbound/receipt_applier"
require_relative "inbound/group_activity"

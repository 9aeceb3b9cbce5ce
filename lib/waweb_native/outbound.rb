# frozen_string_literal: true

module WawebNative
  # The way back: what agents do in Chatwoot, sent to WhatsApp through the gateway. Replies
  # go through the provider (MessageSender); reading, typing and deleting through the
  # hooks in chatwoot/ and the jobs in app/jobs/whatsapp_web/.
  module Outbound
  end
end

require_relative "outbound/client_registry"
require_relative "outbound/failure"
require_relative "outbound/media"
require_relative "outbound/gateway_actions"
require_relative "outbound/delivered_parts"
require_relative "outbound/sent_ids"
require_relative "outbound/message_sender"
require_relative "outbound/shared_state"
require_relative "outbound/shared_lock"
require_relative "outbound/agent_chat"
require_relative "outbound/read_receipts"
require_relative "outbound/typing_presence"
require_relative "outbound/typing_listener"
require_relative "outbound/revocation"

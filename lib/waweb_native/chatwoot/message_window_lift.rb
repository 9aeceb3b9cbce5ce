# frozen_string_literal: true

module WawebNative
  module Chatwoot
    # WhatsApp Web has no 24-hour customer-service window (that is a Business API
    # rule), so agents can always reply in a whatsapp_web inbox.
    module MessageWindowLift
      def can_reply?
        return true if Chatwoot.whatsapp_web?(@conversation&.inbox&.channel)

        super
      end
    end
  end
end

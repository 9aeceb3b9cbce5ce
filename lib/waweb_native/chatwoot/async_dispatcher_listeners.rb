# frozen_string_literal: true

module WawebNative
  module Chatwoot
    # Chatwoot's AsyncDispatcher subscribes a fixed list of listeners (its #listeners) when
    # the dispatcher loads them, on every to_prepare. This adds the gem's listener to that
    # list: typing events become WhatsApp presence (WawebNative::Outbound::TypingListener).
    # The engine's to_prepare runs before Chatwoot's config/initializers/event_handlers.rb,
    # so the list is extended before it is read.
    module AsyncDispatcherListeners
      def listeners
        super + [WawebNative::Outbound::TypingListener.instance]
      end
    end
  end
end

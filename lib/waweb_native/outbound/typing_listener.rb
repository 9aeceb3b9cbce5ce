# frozen_string_literal: true

module WawebNative
  module Outbound
    # A listener of Chatwoot's AsyncDispatcher (it runs in EventDispatcherJob): Chatwoot's
    # typing events become WhatsApp presence (TypingPresence). Registered by
    # WawebNative::Chatwoot::AsyncDispatcherListeners. Like Chatwoot's own listeners it is
    # one instance answering "<event name with _>(event)", and it never raises: the
    # dispatcher calls the listeners one after another.
    class TypingListener
      def self.instance
        @instance ||= new
      end

      def conversation_typing_on(event)
        data = event.data
        TypingPresence.typing_on(data[:conversation], data[:user], data[:is_private], at: event.timestamp)
      end

      def conversation_typing_off(event)
        data = event.data
        TypingPresence.typing_off(data[:conversation], data[:user], data[:is_private], at: event.timestamp)
      end
    end
  end
end

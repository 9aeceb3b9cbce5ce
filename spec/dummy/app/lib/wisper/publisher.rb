# frozen_string_literal: true

module Wisper
  # The part of the wisper gem Chatwoot's dispatchers use: subscribe listeners, then
  # publish an event to every listener that answers the event's method name.
  module Publisher
    def subscribe(listener)
      subscribed_listeners << listener
      self
    end

    def publish(method_name, *args)
      subscribed_listeners.each do |listener|
        listener.public_send(method_name, *args) if listener.respond_to?(method_name)
      end
    end

    # What is subscribed (Chatwoot's dispatchers override #listeners with what to subscribe).
    def subscribed_listeners
      @subscribed_listeners ||= []
    end
  end
end

# frozen_string_literal: true

# Chatwoot's in-request listeners (ActionCable, agent bots): none in this host.
class SyncDispatcher < BaseDispatcher
  def dispatch(event_name, timestamp, data)
    event = Events::Base.new(event_name, timestamp, data)
    publish(event.method_name, event)
  end
end

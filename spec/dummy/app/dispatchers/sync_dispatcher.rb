# frozen_string_literal: true

# Chatwoot's in-request listeners (ActionCable, agent bots). Here also Chatwoot's
# NotificationListener and AutomationRuleListener (async in Chatwoot), reduced: what a
# new message or conversation sets off, for the history import's quiet specs to count.
class SyncDispatcher < BaseDispatcher
  def dispatch(event_name, timestamp, data)
    event = Events::Base.new(event_name, timestamp, data)
    publish(event.method_name, event)
  end

  def listeners
    [AutomationRuleListener.instance, NotificationListener.instance]
  end
end

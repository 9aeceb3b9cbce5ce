# frozen_string_literal: true

# Chatwoot's listeners that run in EventDispatcherJob. Its list is fixed in Chatwoot's code
# (automation, webhooks, notifications, ...); this host has the two a history import must
# not set off, reduced to what lets specs count them.
class AsyncDispatcher < BaseDispatcher
  def dispatch(event_name, timestamp, data)
    EventDispatcherJob.perform_later(event_name, timestamp, data)
  end

  def publish_event(event_name, timestamp, data)
    event = Events::Base.new(event_name, timestamp, data)
    publish(event.method_name, event)
  end

  def listeners
    [AutomationRuleListener.instance, NotificationListener.instance]
  end
end

# frozen_string_literal: true

# Chatwoot's listeners that run in EventDispatcherJob. Its list is fixed in Chatwoot's code
# (automation, webhooks, notifications, ...); this host has none of them (the two a history
# import must not set off run in SyncDispatcher here). Chatwoot enqueues every event; this
# host only those a listener answers, so specs' job counts show the jobs that matter.
class AsyncDispatcher < BaseDispatcher
  def dispatch(event_name, timestamp, data)
    method_name = Events::Base.new(event_name, timestamp, data).method_name
    return unless listeners.any? { |listener| listener.respond_to?(method_name) }

    EventDispatcherJob.perform_later(event_name, timestamp, data)
  end

  def publish_event(event_name, timestamp, data)
    event = Events::Base.new(event_name, timestamp, data)
    publish(event.method_name, event)
  end

  def listeners
    []
  end
end

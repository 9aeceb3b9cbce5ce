# frozen_string_literal: true

# Chatwoot's event bus (app/dispatchers/dispatcher.rb, async_dispatcher.rb), reduced:
# dispatch hands the event to every listener that answers "<event name with _>"
# (Chatwoot's BaseListener convention). Chatwoot runs these listeners later, in
# EventDispatcherJob; here they run at once, which keeps other specs' job counts as
# they were. The gem's quiet import acts at `dispatch` itself, before either.
class Dispatcher
  include Singleton

  MESSAGE_CREATED = "message.created"
  CONVERSATION_CREATED = "conversation.created"
  CONVERSATION_STATUS_CHANGED = "conversation.status_changed"

  # The event object listeners receive (Chatwoot's Events::Base).
  Event = Struct.new(:name, :timestamp, :data) do
    def method_name = name.to_s.tr(".", "_")
  end

  def self.dispatch(event_name, timestamp, data)
    Rails.configuration.dispatcher.dispatch(event_name, timestamp, data)
  end

  def dispatch(event_name, timestamp, data, _async = false) # rubocop:disable Style/OptionalBooleanParameter
    publish_event(event_name, timestamp, data)
  end

  def publish_event(event_name, timestamp, data)
    event = Event.new(event_name, timestamp, data)
    listeners.each do |listener|
      listener.public_send(event.method_name, event) if listener.respond_to?(event.method_name)
    end
  end

  def listeners
    [AutomationRuleListener.instance, NotificationListener.instance]
  end
end

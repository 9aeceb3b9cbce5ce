# frozen_string_literal: true

# Chatwoot's EventDispatcherJob: the async half of the dispatcher, on the critical queue.
class EventDispatcherJob < ApplicationJob
  queue_as :critical

  def perform(event_name, timestamp, data)
    Rails.configuration.dispatcher.publish_event(event_name, timestamp, data)
  end
end

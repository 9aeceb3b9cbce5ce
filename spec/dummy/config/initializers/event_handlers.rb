# frozen_string_literal: true

# As Chatwoot's config/initializers/event_handlers.rb.
Rails.application.configure do
  config.to_prepare { Rails.configuration.dispatcher = Dispatcher.instance }
end

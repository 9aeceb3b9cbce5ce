# frozen_string_literal: true

# As Chatwoot's config/initializers/event_handlers.rb: the dispatcher and its listeners are
# set up on every to_prepare (boot and each reload).
Rails.application.configure do
  config.to_prepare do
    Rails.configuration.dispatcher = Dispatcher.instance
    Rails.configuration.dispatcher.load_listeners
  end
end

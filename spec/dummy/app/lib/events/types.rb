# frozen_string_literal: true

module Events
  # The event names of Chatwoot's Events::Types this host dispatches.
  module Types
    CONVERSATION_TYPING_ON = "conversation.typing_on"
    CONVERSATION_TYPING_OFF = "conversation.typing_off"
    MESSAGE_CREATED = "message.created"
    CONVERSATION_CREATED = "conversation.created"
  end
end

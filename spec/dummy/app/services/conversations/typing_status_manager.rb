# frozen_string_literal: true

module Conversations
  # Chatwoot's typing toggle: dispatches conversation.typing_on / typing_off with the
  # conversation, the user and is_private (params as sent: "true", true, or nil).
  class TypingStatusManager
    include Events::Types

    attr_reader :conversation, :user, :params

    def initialize(conversation, user, params)
      @conversation = conversation
      @user = user
      @params = params
    end

    def toggle_typing_status
      case params[:typing_status]
      when "on" then trigger_typing_event(CONVERSATION_TYPING_ON, params[:is_private])
      when "off" then trigger_typing_event(CONVERSATION_TYPING_OFF, params[:is_private])
      end
    end

    private

    def trigger_typing_event(event, is_private)
      Rails.configuration.dispatcher.dispatch(event, Time.zone.now, conversation: conversation, user: user,
                                                                    is_private: is_private)
    end
  end
end

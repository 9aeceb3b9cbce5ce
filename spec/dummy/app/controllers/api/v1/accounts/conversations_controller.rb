# frozen_string_literal: true

module Api
  module V1
    module Accounts
      # The actions of Chatwoot's ConversationsController where an agent reads or types
      # (chatwoot-contract.md, "Where agents act"). Conversations are found by display_id.
      class ConversationsController < BaseController
        before_action :conversation

        def toggle_typing_status
          ::Conversations::TypingStatusManager.new(@conversation, Current.user, params).toggle_typing_status
          head :ok
        end

        # Opening a conversation: timestamps written with update_column, no callback, no event.
        def update_last_seen
          update_last_seen_on_conversation(Time.now.utc, assignee?)
          render json: conversation_json
        end

        # "Mark as unread": just before the last incoming message.
        def unread
          last_incoming = @conversation.messages.incoming.last
          last_seen_at = last_incoming.created_at - 1.second if last_incoming.present?
          update_last_seen_on_conversation(last_seen_at, true)
          render json: conversation_json
        end

        private

        def conversation
          @conversation ||= Current.account.conversations.find_by!(display_id: params[:id])
        end

        def update_last_seen_on_conversation(last_seen_at, update_assignee)
          @conversation.update_column(:agent_last_seen_at, last_seen_at)
          @conversation.update_column(:assignee_last_seen_at, last_seen_at) if update_assignee.present?
        end

        def assignee?
          @conversation.assignee_id? && Current.user == @conversation.assignee
        end

        def conversation_json
          { id: @conversation.display_id, agent_last_seen_at: @conversation.agent_last_seen_at&.to_i,
            assignee_last_seen_at: @conversation.assignee_last_seen_at&.to_i }
        end
      end
    end
  end
end

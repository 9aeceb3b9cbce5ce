# frozen_string_literal: true

module Api
  module V1
    module Accounts
      module Conversations
        # Chatwoot's base for routes nested under a conversation (found by display_id).
        class BaseController < Api::V1::Accounts::BaseController
          before_action :conversation

          private

          def conversation
            @conversation ||= Current.account.conversations.find_by!(display_id: params[:conversation_id])
          end
        end
      end
    end
  end
end

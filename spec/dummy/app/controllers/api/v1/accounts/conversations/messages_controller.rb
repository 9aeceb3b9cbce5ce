# frozen_string_literal: true

module Api
  module V1
    module Accounts
      module Conversations
        # Chatwoot's MessagesController#destroy: the row stays, its text is replaced, its
        # content_attributes become exactly { deleted: true } and its attachments go.
        class MessagesController < BaseController
          def destroy
            ActiveRecord::Base.transaction do
              message.update!(content: I18n.t("conversations.messages.deleted"), content_type: :text,
                              content_attributes: { deleted: true })
              message.attachments.destroy_all
            end
            render json: { id: message.id, content: message.content, content_attributes: message.content_attributes }
          end

          private

          def message
            @message ||= @conversation.messages.find(params[:id])
          end
        end
      end
    end
  end
end

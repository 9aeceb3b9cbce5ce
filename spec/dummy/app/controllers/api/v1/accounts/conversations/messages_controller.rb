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

          # Chatwoot 4.9.1's MessagesController#retry: Messages::StatusUpdateService back to
          # "sent" (which clears external_error), content_attributes emptied, SendReplyJob
          # queued. source_id is left as it was: the job skips a message that has one.
          def retry
            message.update!(status: "sent", external_error: nil)
            message.update!(content_attributes: {})
            ::SendReplyJob.perform_later(message.id)
            head :ok
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

# frozen_string_literal: true

class SendReplyJob < ApplicationJob
  queue_as :high

  def perform(message_id)
    message = Message.find(message_id)
    channel = message.conversation.inbox.channel
    case channel
    when Channel::Whatsapp then Whatsapp::SendOnWhatsappService.new(message: message).perform
    end
  end
end

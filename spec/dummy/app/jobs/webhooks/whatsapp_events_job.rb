# frozen_string_literal: true

module Webhooks
  class WhatsappEventsJob < ApplicationJob
    queue_as :low

    def perform(params = {})
      channel = find_channel(params)
      if channel_is_inactive?(channel)
        Rails.logger.warn("Inactive WhatsApp channel: #{channel&.phone_number || "unknown - #{params[:phone_number]}"}")
        return
      end

      case channel.provider
      when "whatsapp_cloud"
        Whatsapp::IncomingMessageWhatsappCloudService.new(inbox: channel.inbox, params: params).perform
      else
        Whatsapp::IncomingMessageService.new(inbox: channel.inbox, params: params).perform
      end
    end

    private

    def channel_is_inactive?(channel)
      return true if channel.blank?
      return true if channel.reauthorization_required?
      return true unless channel.account.active?

      false
    end

    def find_channel(params)
      return if params[:phone_number].blank?

      Channel::Whatsapp.find_by(phone_number: params[:phone_number])
    end
  end
end

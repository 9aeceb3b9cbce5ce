# frozen_string_literal: true

module Webhooks
  class WhatsappController < ActionController::API
    # GET: Meta's verification handshake.
    def verify
      if valid_token?(params["hub.verify_token"])
        render json: params["hub.challenge"]
      else
        render status: :unauthorized, json: { error: "Error; wrong verify token" }
      end
    end

    def process_payload
      Webhooks::WhatsappEventsJob.perform_later(params.to_unsafe_hash)
      head :ok
    end

    private

    def valid_token?(token)
      channel = Channel::Whatsapp.find_by(phone_number: params[:phone_number])
      expected = channel&.provider_config&.dig("webhook_verify_token")
      expected.present? && ActiveSupport::SecurityUtils.secure_compare(token.to_s, expected)
    end
  end
end

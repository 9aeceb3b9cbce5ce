# frozen_string_literal: true

module Api
  module V1
    module Accounts
      # Chatwoot's POST /api/v1/accounts/:account_id/inboxes for a WhatsApp channel (the only
      # channel this host has), and GET .../inboxes/:id. Administrators only create inboxes.
      class InboxesController < BaseController
        def show
          render json: inbox_json(Current.account.inboxes.find(params[:id]))
        end

        def create
          return render json: { error: "You are not authorized to do this action" }, status: :unauthorized \
            unless Current.account_user.administrator?
          return render json: { message: "Unsupported channel type" }, status: 422 \
            unless params.dig(:channel, :type).to_s == "whatsapp"

          inbox = ActiveRecord::Base.transaction do
            channel = Current.account.whatsapp_channels.create!(channel_params)
            Current.account.inboxes.create!(name: params.require(:name), channel: channel)
          end
          render json: inbox_json(inbox)
        end

        private

        def channel_params
          attrs = params.require(:channel).permit(:phone_number, :provider, provider_config: {})
          attrs[:provider_config] = attrs[:provider_config].to_h if attrs.key?(:provider_config)
          attrs
        end

        def inbox_json(inbox)
          channel = inbox.channel
          json = { id: inbox.id, name: inbox.name, channel_id: channel.id, channel_type: inbox.channel_type,
                   phone_number: channel.phone_number, provider: channel.provider }
          json[:provider_config] = channel.provider_config if Current.account_user&.administrator?
          json
        end
      end
    end
  end
end

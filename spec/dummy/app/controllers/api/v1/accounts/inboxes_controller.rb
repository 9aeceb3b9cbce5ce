# frozen_string_literal: true

module Api
  module V1
    module Accounts
      # Chatwoot's POST /api/v1/accounts/:account_id/inboxes for a WhatsApp channel (the only
      # channel this host has), GET .../inboxes/:id and PATCH .../inboxes/:id. Administrators
      # only create and update inboxes.
      class InboxesController < BaseController
        # Channel::Whatsapp::EDITABLE_ATTRS in Chatwoot 4.9.1.
        EDITABLE_CHANNEL_ATTRS = [:phone_number, :provider, { provider_config: {} }].freeze

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

        # As Chatwoot 4.9.1's #update: the inbox's own attributes, then, when the request
        # has a `channel` object, reauthorized! and channel.update! with the permitted
        # attributes as they came. provider_config is assigned whole (it REPLACES the
        # stored hash; a key the request leaves out is gone unless a model hook keeps it).
        def update
          inbox = Current.account.inboxes.find(params[:id])
          return render json: { error: "You are not authorized to do this action" }, status: :unauthorized \
            unless Current.account_user.administrator?

          inbox.update!(params.permit(:name, :lock_to_single_conversation))
          channel_attrs = params.permit(channel: [:type, *EDITABLE_CHANNEL_ATTRS])[:channel]
          if channel_attrs.present?
            inbox.channel.reauthorized! if inbox.channel.respond_to?(:reauthorized!)
            inbox.channel.update!(channel_attrs)
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

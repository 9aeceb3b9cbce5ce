# frozen_string_literal: true

module Api
  module V1
    module Accounts
      # /api/v1/accounts/:account_id/whatsapp_web/{test,inboxes}: the setup page's API, for an
      # account's administrators (the host's base controller checks the token and membership).
      #   POST test     {api_base_url, basic_auth_username, basic_auth_password, device_id}
      #                 -> {reachable:, credentials_valid:, logged_in:, connected:, device_id:, error:}
      #   POST inboxes  {name, phone_number, api_base_url, basic_auth_username, basic_auth_password, device_id}
      #                 -> 201 {inbox_id:, connect_url:, gateway: {configured:, state:, message:, ...}}
      #                 or {error:, kind:} (422 invalid_input/phone_taken, 502 unreachable/bad_credentials)
      class WhatsappWebSetupsController < BaseController
        before_action :waweb_administrators_only

        def test
          render json: WawebNative::Operators::ConfigTest.new(waweb_setup_params).call
        end

        def create
          status, body = WawebNative::Operators::InboxSetup.new(account: Current.account, user: Current.user,
                                                                params: waweb_setup_params,
                                                                frontend_url: waweb_frontend_url).call
          render json: body, status: status
        end

        private

        def waweb_setup_params
          setup = WawebNative::Operators::InboxSetup
          keys = %w[name phone_number] + setup::KEYS + setup::OPTION_KEYS
          params.to_unsafe_h.slice(*keys).transform_values(&:to_s)
        end

        def waweb_administrators_only
          return if Current.account_user&.administrator?

          render json: { error: "Only administrators of this account can add a WhatsApp inbox.", kind: "forbidden" },
                 status: :forbidden
        end

        # Chatwoot's FRONTEND_URL, else the URL this request came to.
        def waweb_frontend_url
          ENV.fetch("FRONTEND_URL", nil).presence || request.base_url
        end
      end
    end
  end
end

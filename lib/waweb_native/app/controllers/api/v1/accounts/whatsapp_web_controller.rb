# frozen_string_literal: true

module Api
  module V1
    module Accounts
      # /api/v1/accounts/:account_id/inboxes/:inbox_id/whatsapp_web/*: connect and inspect a
      # whatsapp_web inbox's gateway. The host's base controller authenticates the token and
      # the account membership; here: the inbox must be the account's (404), the user its
      # administrator (403) and the inbox a whatsapp_web one (400). Gateway failures answer
      # {error:, kind:} with the provider's sentence (see WawebNative::Operators::HttpErrors).
      class WhatsappWebController < BaseController
        before_action :waweb_authorize
        rescue_from WawebNative::Gateway::Error, with: :waweb_gateway_error

        # GET .../status (not named `status`: that is the controller's response status).
        def connection_status
          render json: connection.status
        end

        # The QR code to scan: {data_url: "data:image/png;base64,...", expires_in: seconds}.
        def login
          render json: connection.login_qr.slice(:data_url, :expires_in)
        end

        def login_with_code
          phone = params[:phone].to_s.delete("^0-9")
          if phone.length < 8
            return render json: { error: "Give the phone number to link, in international format (country code " \
                                         "first, digits only).", kind: "invalid_phone" }, status: 422
          end

          render json: connection.login_with_code(phone)
        end

        def logout
          connection.logout
          render json: { ok: true }
        end

        def reconnect
          connection.reconnect
          render json: { ok: true }
        end

        def devices
          render json: { devices: connection.devices }
        end

        # Tries a configuration before saving it: params api_base_url, basic_auth_username,
        # basic_auth_password, device_id (top level or under provider_config), laid over the saved one.
        def test
          source = params[:provider_config].is_a?(ActionController::Parameters) ? params[:provider_config] : params
          config = source.to_unsafe_h.slice(*WawebNative::Operators::ConfigTest::KEYS)
          result = WawebNative::Operators::ConfigTest.new(config, base: connection.channel.provider_config).call
          render json: result
        end

        # Starts (or resumes) a history import: body {days: 1..365}, default 7. {import: {state:, ...}}.
        def import_history
          days = params[:days].presence || 7
          render json: { import: WawebNative::History.start(connection.inbox, days: days) }
        rescue ArgumentError
          render json: { error: "Give the days to import as a whole number from 1 to 365.", kind: "invalid_days" },
                 status: 422
        end

        # Points the gateway's device webhook (GOWA v9+) at this inbox. Body: force (replace a
        # webhook that points elsewhere). 409 webhook_elsewhere, 422 gateway_too_old (with the flags).
        def configure_gateway
          result = connection.configure_gateway(force: ActiveModel::Type::Boolean.new.cast(params[:force]) == true)
          status, body = WawebNative::Operators::HttpErrors.for_configuration(result, connection)
          render json: body, status: status
        end

        private

        def connection
          @connection ||= WawebNative::Operators::Connection.new(@waweb_inbox, frontend_url: waweb_frontend_url)
        end

        # Chatwoot's FRONTEND_URL, else the URL this request came to.
        def waweb_frontend_url
          ENV.fetch("FRONTEND_URL", nil).presence || request.base_url
        end

        def waweb_authorize
          verdict = WawebNative::Operators::InboxAccess.check(user: Current.user, inbox_id: params[:inbox_id],
                                                              account: Current.account)
          @waweb_inbox = verdict.inbox
          case verdict.outcome
          when :not_found then render json: { error: "Resource could not be found" }, status: :not_found
          when :forbidden
            render json: { error: "Only administrators of this account can manage its WhatsApp connection." },
                   status: :forbidden
          when :not_whatsapp_web
            render json: { error: "This inbox is not a WhatsApp Web inbox (its channel's provider must be " \
                                  "whatsapp_web).", kind: "not_whatsapp_web" }, status: :bad_request
          end
        end

        def waweb_gateway_error(error)
          status, body = WawebNative::Operators::HttpErrors.for(error, connection)
          render json: body, status: status
        end
      end
    end
  end
end

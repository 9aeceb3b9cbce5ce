# frozen_string_literal: true

module WhatsappWeb
  # GET /whatsapp_web/inboxes/:inbox_id/connect: the connection page (QR code, pairing code,
  # status, logout/reconnect, gateway settings) for an account administrator. The host
  # authenticates the `api_access_token` header; a browser, which cannot set headers on a
  # link, may pass `?token=<access token>` instead: it is copied into that header before the
  # host checks it, and the page removes it from the address bar and sends it as the header.
  class ConnectionPagesController < Api::BaseController
    include WawebNative::Operators::PageResponse

    prepend_before_action :waweb_token_from_query

    def show
      verdict = WawebNative::Operators::InboxAccess.check(user: Current.user, inbox_id: params[:inbox_id])
      locale = WawebNative::Operators::ConnectPage.locale_for(request.headers["Accept-Language"])
      return waweb_refuse(verdict.outcome, locale) unless verdict.outcome == :ok

      connection = WawebNative::Operators::Connection.new(verdict.inbox, frontend_url: waweb_frontend_url)
      page = WawebNative::Operators::ConnectPage.new(connection: connection, api_base: waweb_api_base(verdict.inbox),
                                                     token: waweb_token, locale: locale)
      waweb_html(200, page.render)
    end

    private

    def waweb_token_from_query
      token = params[:token].to_s
      request.headers["api_access_token"] = token if token.present? && request.headers[:api_access_token].blank?
    end

    def waweb_token
      request.headers[:api_access_token].to_s
    end

    def waweb_api_base(inbox)
      "#{request.script_name}/api/v1/accounts/#{inbox.account_id}/inboxes/#{inbox.id}/whatsapp_web"
    end

    def waweb_frontend_url
      ENV.fetch("FRONTEND_URL", nil).presence || request.base_url
    end

    def waweb_refuse(outcome, locale)
      strings = WawebNative::Operators::ConnectPage.strings.fetch(locale)
      status = { not_found: 404, forbidden: 403, not_whatsapp_web: 400 }.fetch(outcome)
      waweb_sentence_page(status, strings, outcome.to_s)
    end
  end
end

# frozen_string_literal: true

module WhatsappWeb
  # GET /whatsapp_web/setup: the page that adds a whatsapp_web inbox, for administrators. The
  # same token rules as the connection page: the `api_access_token` header, or `?token=` on a
  # link (copied into that header before the host checks it; the page removes it from the
  # address bar). `?account_id=` preselects one of the viewer's accounts.
  class SetupPagesController < Api::BaseController
    prepend_before_action :waweb_token_from_query

    def show
      locale = WawebNative::Operators::SetupPage.locale_for(request.headers["Accept-Language"])
      accounts = waweb_administered_accounts
      return waweb_refuse(403, "forbidden", locale) if accounts.empty?

      selected = waweb_selected_account(accounts)
      return waweb_refuse(404, "not_found", locale) if selected.nil?

      page = WawebNative::Operators::SetupPage.new(accounts: accounts, selected_account: selected,
                                                   token: request.headers[:api_access_token].to_s,
                                                   locale: locale, root: request.script_name.to_s)
      waweb_html(200, page.render)
    end

    private

    def waweb_selected_account(accounts)
      wanted = params[:account_id].to_s
      wanted.empty? ? accounts.first : accounts.find { |account| account.id.to_s == wanted }
    end

    def waweb_administered_accounts
      ids = ::AccountUser.where(user_id: Current.user.id).select(&:administrator?).map(&:account_id)
      ::Account.where(id: ids).order(:id).to_a
    end

    def waweb_token_from_query
      token = params[:token].to_s
      request.headers["api_access_token"] = token if token.present? && request.headers[:api_access_token].blank?
    end

    def waweb_refuse(status, key, locale)
      strings = WawebNative::Operators::SetupPage.strings.fetch(locale)
      text = ERB::Util.html_escape(strings[key])
      waweb_html(status, "<!DOCTYPE html><html lang=\"#{strings['lang']}\"><meta charset=\"utf-8\">" \
                         "<title>#{text}</title><p>#{text}</p></html>")
    end

    # The page embeds the viewer's token: never cache it, never leak the URL in a Referer.
    def waweb_html(status, html)
      response.headers["Cache-Control"] = "no-store"
      response.headers["Referrer-Policy"] = "no-referrer"
      response.headers["X-Frame-Options"] = "DENY"
      render body: html, status: status, content_type: "text/html"
    end
  end
end

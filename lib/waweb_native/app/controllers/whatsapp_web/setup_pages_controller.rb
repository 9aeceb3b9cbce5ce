# frozen_string_literal: true

module WhatsappWeb
  # GET /whatsapp_web/setup: the page that adds a whatsapp_web inbox, for administrators. The
  # same token rules as the connection page: the `api_access_token` header, or `?token=` on a
  # link (copied into that header before the host checks it; the page removes it from the
  # address bar). `?account_id=` preselects one of the viewer's accounts.
  class SetupPagesController < Api::BaseController
    include WawebNative::Operators::PageResponse

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
      waweb_sentence_page(status, WawebNative::Operators::SetupPage.strings.fetch(locale), key)
    end
  end
end

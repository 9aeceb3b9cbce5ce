# frozen_string_literal: true

module WhatsappWeb
  # GET /whatsapp_web/dashboard_app: the page to add as a Chatwoot Dashboard App. It carries
  # no data (no token, no inbox): its script learns the conversation from the dashboard and
  # authenticates with the viewer's own session, so the API, not the page, decides who sees
  # what. One document per language (Accept-Language, as the other operators' pages), framed
  # only by Chatwoot's own origin (the dashboard), never cached.
  class DashboardAppPagesController < ActionController::Metal
    def show
      page = WawebNative::Operators::DashboardAppPage
      headers["Content-Type"] = "text/html; charset=utf-8"
      headers["Cache-Control"] = "no-store"
      headers["Vary"] = "Accept-Language"
      headers["Referrer-Policy"] = "no-referrer"
      headers["X-Frame-Options"] = "SAMEORIGIN"
      headers["Content-Security-Policy"] = "frame-ancestors 'self'"
      self.status = 200
      self.response_body = page.html(page.locale_for(request.headers["Accept-Language"]))
    end
  end
end

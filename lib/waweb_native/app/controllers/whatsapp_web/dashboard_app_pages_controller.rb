# frozen_string_literal: true

module WhatsappWeb
  # GET /whatsapp_web/dashboard_app: the page to add as a Chatwoot Dashboard App. It is the
  # same static document for everyone and carries no data (no token, no inbox): its script
  # learns the conversation from the dashboard and authenticates with the viewer's own
  # session, so the API, not the page, decides who sees what. Framed only by Chatwoot's own
  # origin (the dashboard), never cached.
  class DashboardAppPagesController < ActionController::Metal
    PAGE = File.expand_path("../../../dashboard_app/page.html", __dir__)

    def self.page = @page ||= File.read(PAGE).freeze

    def show
      headers["Content-Type"] = "text/html; charset=utf-8"
      headers["Cache-Control"] = "no-store"
      headers["Referrer-Policy"] = "no-referrer"
      headers["X-Frame-Options"] = "SAMEORIGIN"
      headers["Content-Security-Policy"] = "frame-ancestors 'self'"
      self.status = 200
      self.response_body = self.class.page
    end
  end
end

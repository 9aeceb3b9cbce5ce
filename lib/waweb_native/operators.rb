# frozen_string_literal: true

# The operators' messages are the agents' (Outbound::Failure). Required here, not left to
# the provider class's autoload: a rake task (waweb:doctor) runs without eager loading.
require_relative "outbound/failure"

module WawebNative
  # What operators use to connect and diagnose a whatsapp_web inbox: the management API,
  # the connection page, the console helpers (WawebNative.status(inbox) ...) and rake tasks.
  module Operators
    # The routes, appended to the host's by the engine.
    def self.draw_routes(routes)
      routes.scope "api/v1/accounts/:account_id/inboxes/:inbox_id/whatsapp_web",
                   controller: "api/v1/accounts/whatsapp_web", defaults: { format: "json" },
                   as: "waweb_management" do
        routes.get "status", action: :connection_status, as: :status
        routes.post "login", action: :login, as: :login
        routes.post "login_with_code", action: :login_with_code, as: :login_with_code
        routes.post "logout", action: :logout, as: :logout
        routes.post "reconnect", action: :reconnect, as: :reconnect
        routes.get "devices", action: :devices, as: :devices
        routes.post "test", action: :test, as: :test
        routes.post "import", action: :import_history, as: :import
        routes.post "configure_gateway", action: :configure_gateway, as: :configure_gateway
      end
      routes.get "whatsapp_web/inboxes/:inbox_id/connect", to: "whatsapp_web/connection_pages#show",
                                                           as: :waweb_connection_page
      # The Dashboard App page (a tab beside each conversation): no data of its own, no auth.
      routes.get "whatsapp_web/dashboard_app", to: "whatsapp_web/dashboard_app_pages#show", as: :waweb_dashboard_app
      draw_setup_routes(routes)
    end

    # The setup page and its API (a new inbox, for an account's administrators).
    def self.draw_setup_routes(routes)
      routes.scope "api/v1/accounts/:account_id/whatsapp_web", controller: "api/v1/accounts/whatsapp_web_setups",
                                                               defaults: { format: "json" }, as: "waweb_setup" do
        routes.post "test", action: :test, as: :test
        routes.post "inboxes", action: :create, as: :inboxes
      end
      routes.get "whatsapp_web/setup", to: "whatsapp_web/setup_pages#show", as: :waweb_setup_page
    end
  end
end

require_relative "operators/page_response"
require_relative "operators/connection"
require_relative "operators/config_test"
require_relative "operators/gateway_configuration"
require_relative "operators/inbox_setup"
require_relative "operators/setup_page"
require_relative "operators/dashboard_app_page"
require_relative "operators/doctor"
require_relative "operators/http_errors"
require_relative "operators/inbox_access"
require_relative "operators/connect_page"
require_relative "operators/tasks"
require_relative "console"

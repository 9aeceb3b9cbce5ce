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
      end
      routes.get "whatsapp_web/inboxes/:inbox_id/connect", to: "whatsapp_web/connection_pages#show",
                                                           as: :waweb_connection_page
    end
  end
end

require_relative "operators/connection"
require_relative "operators/config_test"
require_relative "operators/doctor"
require_relative "operators/http_errors"
require_relative "operators/inbox_access"
require_relative "operators/connect_page"
require_relative "operators/tasks"
require_relative "console"

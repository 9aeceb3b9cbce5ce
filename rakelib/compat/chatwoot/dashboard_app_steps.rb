# frozen_string_literal: true

module Compat
  module Chatwoot
    # The way from the dashboard to the connection page (a Scenario mixin, after
    # DashboardSteps logged in): the gem's /whatsapp_web/dashboard_app added as a Dashboard
    # App through Chatwoot's API, as Settings > Integrations > Dashboard apps does; its tab
    # beside a conversation of the inbox, then the connection page it opens.
    module DashboardAppSteps
      APP_TITLE = "WhatsApp Web connection"
      APP_PATH = "/whatsapp_web/dashboard_app"

      private

      def dashboard_app
        t.step("a Dashboard App (POST .../dashboard_apps) on #{APP_PATH}") { add_dashboard_app }
        t.step("its tab beside Maria's conversation, for the administrator") { app_tab_shot }
        t.step("the same tab in Portuguese once the administrator's Chatwoot speaks it") { app_tab_portuguese }
        t.step("its button opens the connection page with the viewer's own token") { app_popup_shot }
        t.step("an agent of the inbox sees the tab refuse (the API's 403)") { app_refuses_agent }
      end

      # The agent must be an inbox member to open its conversations at all.
      def agent_in_inbox
        body = { inbox_id: inbox_id, user_ids: [@agent["id"]] }
        response = request(:post, "#{host}/api/v1/accounts/#{@account_id}/inbox_members", headers: admin_headers,
                                                                                          json: body)
        t.check(response.code == "200", "adding the agent to the inbox: HTTP #{response.code}")
      end

      def app_refuses_agent
        agent_in_inbox
        @driver.call("new_session", width: 1440, height: 1000)
        @driver.call("login", url: "#{host}/app/login", email: @agent["email"], password: @agent["password"])
        @driver.call("shot", url: app_url("conversations/#{@maria_conversation}"), path: shot_path("7-agent-before"),
                             wait_for: [APP_TITLE])
        tab = @driver.call("app_tab", tab: APP_TITLE, frame: APP_PATH, path: shot_path("7-dashboard-app-agent"))
        t.check(tab["state"] == "forbidden", "the app says #{tab['state']}: #{tab['text']}")
        t.check(!tab["text"].include?("Open the connection page"), "the agent has the button")
        "forbidden: \"#{tab['text'].lines.last.strip}\": #{shot_path('7-dashboard-app-agent')}"
      end

      def add_dashboard_app
        body = { title: APP_TITLE, content: [{ type: "frame", url: "#{host}#{APP_PATH}" }] }
        response = request(:post, "#{host}/api/v1/accounts/#{@account_id}/dashboard_apps", headers: admin_headers,
                                                                                           json: body)
        t.check(response.code == "200", "HTTP #{response.code}: #{response.body[0, 200]}")
        "dashboard app #{json(response)['id']}: #{host}#{APP_PATH} (no token in it)"
      end

      def app_tab_shot
        @driver.call("shot", url: app_url("conversations/#{@maria_conversation}"), path: shot_path("5-before-app"),
                             wait_for: [APP_TITLE])
        tab = @driver.call("app_tab", tab: APP_TITLE, frame: APP_PATH, path: shot_path("5-dashboard-app-tab"))
        t.check(%w[logged_in logged_out].include?(tab["state"]), "the app says #{tab['state']}: #{tab['text']}")
        "#{tab['state']}: \"#{tab['text'].lines.map(&:strip).reject(&:empty?).join(' / ')}\": " \
          "#{shot_path('5-dashboard-app-tab')}"
      end

      # The page follows the viewer's Chatwoot language (profile ui_settings.locale), which
      # Chatwoot itself uses for its own words, over the browser's (en-US here).
      def app_tab_portuguese
        ui_locale("pt_BR")
        @driver.call("shot", url: app_url("conversations/#{@maria_conversation}"), path: shot_path("5-before-app-pt"),
                             wait_for: [APP_TITLE])
        tab = @driver.call("app_tab", tab: APP_TITLE, frame: APP_PATH, path: shot_path("5-dashboard-app-tab-pt-BR"))
        t.check(tab["text"].include?("Abrir a página de conexão"), "the app says: #{tab['text']}")
        "\"#{tab['text'].lines.map(&:strip).reject(&:empty?).join(' / ')}\": #{shot_path('5-dashboard-app-tab-pt-BR')}"
      ensure
        ui_locale("en")
      end

      def ui_locale(locale)
        response = request(:patch, "#{host}/api/v1/profile", headers: admin_headers,
                                                             json: { profile: { ui_settings: { locale: locale } } })
        t.check(response.code == "200", "PATCH /api/v1/profile: HTTP #{response.code}")
      end

      def app_popup_shot
        page = @driver.call("app_popup", frame: APP_PATH, button: "#open", wait_for: ["WhatsApp (compat)"],
                                         path: shot_path("6-connection-page-from-app"))
        uri = URI(page["url"])
        t.check(uri.path == "/whatsapp_web/inboxes/#{inbox_id}/connect", "opened #{uri.path}")
        t.check(!page["url"].include?("token="), "the token stayed in the address bar")
        t.check(page["text"].include?("--webhook=#{webhook_url}"), "not this inbox's connection page")
        "#{uri.path} (the token left the address bar): #{shot_path('6-connection-page-from-app')}"
      end
    end
  end
end

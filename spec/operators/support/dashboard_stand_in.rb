# frozen_string_literal: true

require "json"
require "rack/utils"

# Chatwoot's side of a Dashboard App, reduced to what /whatsapp_web/dashboard_app uses, in
# front of the test host: the dashboard page that frames the app and answers its
# "chatwoot-dashboard-app:fetch-info" with the open conversation (as Frame.vue does); the
# cw_d_session_info cookie the dashboard keeps after signing in (devise_token_auth's
# headers); GET /api/v1/profile answering the signed-in user's access token (and their
# ui_settings) to those headers; GET /api/v1/accounts/:id answering the account's locale to
# a member's token. Everything else goes to the host. frame_languages: the Accept-Language
# each request for the app's page carried (the frame is a plain navigation, as in Frame.vue).
class DashboardStandIn
  COOKIE = "cw_d_session_info"
  APP_PATH = "/whatsapp_web/dashboard_app"
  ACCOUNT_PATH = %r{\A/api/v1/accounts/(\d+)\z}

  attr_reader :frame_languages, :ui_locales
  attr_accessor :account_locale

  # sessions: { "<access-token>" => user }; ui_locales: { "<access-token>" => "pt_BR" } (the
  # user's own choice; Chatwoot's default is none); account_locale: Chatwoot's default "en".
  def initialize(app, sessions, ui_locales: {}, account_locale: "en")
    @app = app
    @sessions = sessions
    @ui_locales = ui_locales
    @account_locale = account_locale
    @frame_languages = Thread::Queue.new
  end

  def call(env)
    path = env["PATH_INFO"]
    @frame_languages << env["HTTP_ACCEPT_LANGUAGE"] if path == APP_PATH
    if path == "/app/conversation" then dashboard(Rack::Utils.parse_query(env["QUERY_STRING"]))
    elsif path == "/api/v1/profile" then profile(env)
    elsif (id = path[ACCOUNT_PATH, 1]) then account(env, id.to_i)
    else @app.call(env)
    end
  end

  private

  # ?as=<access-token> signs in (no `as`: signed out); ?account=&inbox= is the conversation.
  def dashboard(query)
    user = @sessions[query["as"]]
    cookie = if user
               info = { "access-token" => query["as"], "token-type" => "Bearer", "client" => "c1", "uid" => user.email }
               "#{COOKIE}=#{ERB::Util.url_encode(JSON.generate(info))}; Path=/"
             else
               "#{COOKIE}=; Path=/; Max-Age=0"
             end
    conversation = { id: 1, account_id: query["account"].to_i, inbox_id: query["inbox"].to_i }
    html = <<~HTML
      <!DOCTYPE html><html><body>
      <iframe id="app" src="#{APP_PATH}" style="width:600px;height:300px"></iframe>
      <script>
        window.addEventListener("message", function (event) {
          if (event.data !== "chatwoot-dashboard-app:fetch-info") return;
          var context = { event: "appContext", data: { conversation: #{JSON.generate(conversation)} } };
          document.getElementById("app").contentWindow.postMessage(JSON.stringify(context), "*");
        });
      </script></body></html>
    HTML
    [200, { "content-type" => "text/html", "set-cookie" => cookie }, [html]]
  end

  def profile(env)
    user = @sessions[env["HTTP_ACCESS_TOKEN"].to_s]
    return [401, { "content-type" => "application/json" }, ['{"errors":["not signed in"]}']] \
      unless user && env["HTTP_UID"] == user.email && env["HTTP_CLIENT"] == "c1"

    locale = @ui_locales[env["HTTP_ACCESS_TOKEN"].to_s]
    body = JSON.generate(id: user.id, email: user.email, access_token: user.access_token.token,
                         ui_settings: locale ? { locale: locale } : {})
    [200, { "content-type" => "application/json" }, [body]]
  end

  # Chatwoot's AccountPolicy#show?: administrators and agents of the account.
  def account(env, id)
    user = @sessions.values.find { |u| u.access_token.token == env["HTTP_API_ACCESS_TOKEN"].to_s }
    return [401, { "content-type" => "application/json" }, ['{"error":"Invalid Access Token"}']] unless user
    return [404, { "content-type" => "application/json" }, ['{"error":"Resource could not be found"}']] \
      unless AccountUser.exists?(account_id: id, user_id: user.id)

    [200, { "content-type" => "application/json" }, [JSON.generate(id: id, locale: account_locale)]]
  end
end

# frozen_string_literal: true

require "json"
require "rack/utils"

# Chatwoot's side of a Dashboard App, reduced to what /whatsapp_web/dashboard_app uses, in
# front of the test host: the dashboard page that frames the app and answers its
# "chatwoot-dashboard-app:fetch-info" with the open conversation (as Frame.vue does); the
# cw_d_session_info cookie the dashboard keeps after signing in (devise_token_auth's
# headers); GET /api/v1/profile answering the signed-in user's access token to those
# headers. Everything else goes to the host. frame_languages: the Accept-Language each
# request for the app's page carried (the frame is a plain navigation, as in Frame.vue).
class DashboardStandIn
  COOKIE = "cw_d_session_info"
  APP_PATH = "/whatsapp_web/dashboard_app"

  attr_reader :frame_languages

  # sessions: { "<access-token>" => user }
  def initialize(app, sessions)
    @app = app
    @sessions = sessions
    @frame_languages = Thread::Queue.new
  end

  def call(env)
    @frame_languages << env["HTTP_ACCEPT_LANGUAGE"] if env["PATH_INFO"] == APP_PATH
    case env["PATH_INFO"]
    when "/app/conversation" then dashboard(Rack::Utils.parse_query(env["QUERY_STRING"]))
    when "/api/v1/profile" then profile(env)
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

    body = JSON.generate(id: user.id, email: user.email, access_token: user.access_token.token)
    [200, { "content-type" => "application/json" }, [body]]
  end
end

# frozen_string_literal: true

require_relative "operators_helper"

# The page operators add as a Chatwoot Dashboard App. Its whole flow (the dashboard's
# appContext, the viewer's session, the status API, the connection page opened from it) runs
# in real Chatwoot's dashboard in rake compat:chatwoot (WAWEB_COMPAT_DASHBOARD=1); the test
# host has neither the dashboard nor its session cookie. Here: what the server sends.
RSpec.describe "WhatsApp Web Dashboard App page (HTTP)", :operators do
  let(:account) { create_account }
  let(:admin) { create_member(account) }

  it "is one static page for anyone, framed only by Chatwoot's own origin, never cached" do
    get "/whatsapp_web/dashboard_app"
    expect(last_response.status).to eq(200)
    expect(last_response.headers["content-type"]).to start_with("text/html")
    expect(last_response.headers).to include("cache-control" => "no-store", "referrer-policy" => "no-referrer",
                                             "x-frame-options" => "SAMEORIGIN",
                                             "content-security-policy" => "frame-ancestors 'self'")
    expect(last_response.body).not_to match(/<(script|link|iframe|img)[^>]+(src|href)=/) # nothing else to fetch
    anonymous = last_response.body

    # A viewer's token changes nothing: the page never carries one; its script asks the API.
    get "/whatsapp_web/dashboard_app?token=#{token_of(admin)}", nil, api_headers(admin)
    expect(last_response.body).to eq(anonymous)
    expect(anonymous).not_to include(token_of(admin))
  end
end

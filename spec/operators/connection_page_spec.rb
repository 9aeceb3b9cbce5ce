# frozen_string_literal: true

require_relative "operators_helper"

RSpec.describe "WhatsApp Web connection page (HTTP)", :operators do
  let(:gateway) { FakeGateway.start(logged_in: false) }
  let(:account) { create_account }
  let(:admin) { create_member(account) }
  let(:inbox) { create_gateway_inbox(gateway, account: account) }
  let(:path) { "/whatsapp_web/inboxes/#{inbox.id}/connect" }

  after { gateway.stop }

  it "serves one self-contained page to an administrator, by header or ?token=, never cached" do
    get path, nil, { "HTTP_API_ACCESS_TOKEN" => token_of(admin) }
    expect(last_response.status).to eq(200)
    expect(last_response.headers["content-type"]).to start_with("text/html")
    expect(last_response.headers["cache-control"]).to eq("no-store")
    expect(last_response.headers["referrer-policy"]).to eq("no-referrer")
    expect(last_response.body).to include("<html lang=\"en\">", "Connect WhatsApp", "<style>", "<script>")
    expect(last_response.body).not_to match(/<(script|link)[^>]+(src|href)=/) # nothing else to fetch

    get "#{path}?token=#{token_of(admin)}"
    expect(last_response.status).to eq(200)
    config = JSON.parse(last_response.body[%r{<script type="application/json" id="waweb-config">(.*?)</script>}m, 1])
    expect(config).to include("token" => token_of(admin),
                              "apiBase" => "/api/v1/accounts/#{account.id}/inboxes/#{inbox.id}/whatsapp_web")
    # The token in the URL is filtered from the request log line.
    filter = ActiveSupport::ParameterFilter.new(Rails.application.config.filter_parameters)
    expect(filter.filter("token" => "abc")).to eq("token" => "[FILTERED]")
  end

  it "speaks Brazilian Portuguese by Accept-Language" do
    get path, nil, { "HTTP_API_ACCESS_TOKEN" => token_of(admin), "HTTP_ACCEPT_LANGUAGE" => "pt-BR,pt;q=0.9,en;q=0.5" }
    expect(last_response.body).to include("<html lang=\"pt-BR\">", "Conectar WhatsApp", "Escaneie o QR code")
    get path, nil, { "HTTP_API_ACCESS_TOKEN" => token_of(admin), "HTTP_ACCEPT_LANGUAGE" => "en-US,pt;q=0.8" }
    expect(last_response.body).to include("<html lang=\"en\">")
    get path, nil, { "HTTP_API_ACCESS_TOKEN" => token_of(admin), "HTTP_ACCEPT_LANGUAGE" => "fr;q=1,pt;q=0.3" }
    expect(last_response.body).to include("<html lang=\"pt-BR\">")
  end

  it "shows the exact gateway settings and warns about the default secret" do
    weak = create_gateway_inbox(gateway, account: account, secret: "secret")
    get "/whatsapp_web/inboxes/#{weak.id}/connect", nil, { "HTTP_API_ACCESS_TOKEN" => token_of(admin) }
    digits = weak.channel.phone_number.delete("+")
    expect(last_response.body).to include("http://example.org/webhooks/whatsapp_web/#{digits}",
                                          "--webhook-secret=secret", "id=\"secret-warning\"")
  end

  it "refuses: no token 401, an agent 403, another account's admin 404, a non-whatsapp_web inbox 400" do
    get path
    expect(last_response.status).to eq(401)

    get path, nil, { "HTTP_API_ACCESS_TOKEN" => token_of(create_member(account, role: :agent)) }
    expect(last_response.status).to eq(403)
    expect(last_response.body).not_to include(inbox.channel.provider_config["webhook_verify_token"])

    get path, nil, { "HTTP_API_ACCESS_TOKEN" => token_of(create_member(create_account)) }
    expect(last_response.status).to eq(404)

    cloud = create_whatsapp_inbox(account: account, provider: "whatsapp_cloud")
    get "/whatsapp_web/inboxes/#{cloud.id}/connect", nil, { "HTTP_API_ACCESS_TOKEN" => token_of(admin) }
    expect(last_response.status).to eq(400)
  end
end

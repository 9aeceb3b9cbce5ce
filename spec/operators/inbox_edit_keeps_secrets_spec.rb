# frozen_string_literal: true

require_relative "operators_helper"

# Chatwoot's PATCH /api/v1/accounts/:id/inboxes/:id assigns the channel's provider_config
# whole. For a whatsapp_web channel the webhook secret and the gateway password survive an
# edit that leaves them out or blanks them (ChannelWhatsappEditKeepsSecrets); a new value
# replaces them. Every other key follows Chatwoot's rule: what the edit leaves out is gone.
RSpec.describe "PATCH /api/v1/accounts/:id/inboxes/:id on a whatsapp_web inbox", :operators do
  let(:gateway) { FakeGateway.start(logged_in: true) }
  let(:account) { create_account }
  let(:admin) { create_member(account) }
  let(:inbox) { create_gateway_inbox(gateway, account: account) }
  let(:channel) { inbox.channel }
  let(:stored_secret) { channel.provider_config["webhook_verify_token"] }
  let(:text) { File.binread(File.join(FIXTURES, "v8/text.json")) }

  after { gateway.stop }

  # The request Chatwoot's dashboard and API clients send: inbox attributes beside a
  # `channel` object whose provider_config is the whole new configuration.
  def edit(provider_config, user: admin, **inbox_params)
    patch "/api/v1/accounts/#{account.id}/inboxes/#{inbox.id}",
          JSON.generate(inbox_params.merge(channel: { provider_config: provider_config })), api_headers(user)
    last_response
  end

  def post_signed_webhook(secret)
    post "/webhooks/whatsapp_web/#{channel.phone_number}", text,
         "CONTENT_TYPE" => "application/json", "HTTP_X_HUB_SIGNATURE_256" => WawebNative::Signature.sign(secret, text)
    last_response.status
  end

  def stored_config = channel.reload.provider_config

  it "keeps the secrets an edit leaves out, and webhooks signed with the old secret still pass" do
    secret = stored_secret
    expect(post_signed_webhook(secret)).to eq(200)

    response = edit({ api_base_url: gateway.url, basic_auth_username: gateway.username, device_id: "org_1" },
                    name: "WhatsApp sales")
    expect(response.status).to eq(200), response.body
    expect(inbox.reload.name).to eq("WhatsApp sales")
    expect(stored_config).to eq("api_base_url" => gateway.url, "basic_auth_username" => gateway.username,
                                "device_id" => "org_1", "basic_auth_password" => gateway.password,
                                "webhook_verify_token" => secret)
    expect(json_body["provider_config"]["webhook_verify_token"]).to eq(secret)
    expect(post_signed_webhook(secret)).to eq(200)
  end

  it "keeps the secrets an edit blanks, with an empty string or a null" do
    secret = stored_secret
    [["", ""], [nil, nil], ["   ", nil]].each do |token, password|
      response = edit({ api_base_url: gateway.url, basic_auth_username: gateway.username,
                        basic_auth_password: password, webhook_verify_token: token })
      expect(response.status).to eq(200), response.body
      expect(stored_config).to include("webhook_verify_token" => secret, "basic_auth_password" => gateway.password)
    end
  end

  it "replaces a secret the edit sets: the old one is refused from then on" do
    old = stored_secret
    response = edit({ api_base_url: gateway.url, basic_auth_username: gateway.username,
                      webhook_verify_token: "a-new-secret-from-the-admin" })
    expect(response.status).to eq(200), response.body
    expect(stored_config).to include("webhook_verify_token" => "a-new-secret-from-the-admin",
                                     "basic_auth_password" => gateway.password)
    expect(post_signed_webhook(old)).to eq(401)
    expect(post_signed_webhook("a-new-secret-from-the-admin")).to eq(200)
  end

  it "checks a new password against the gateway: a wrong one is refused with 422 and nothing changes" do
    before = stored_config
    response = edit({ api_base_url: gateway.url, basic_auth_username: gateway.username,
                      basic_auth_password: "not-the-gateway-password" })
    expect(response.status).to eq(422)
    expect(JSON.parse(response.body)["message"]).to include("Invalid Credentials")
    expect(response.body).not_to include("not-the-gateway-password")
    expect(stored_config).to eq(before)
  end

  it "drops the non-secret keys the edit leaves out, as Chatwoot does" do
    channel.update!(provider_config: channel.provider_config.merge("device_id" => "org_1"))
    response = edit({ api_base_url: gateway.url, basic_auth_username: gateway.username })
    expect(response.status).to eq(200), response.body
    expect(stored_config).not_to have_key("device_id")
  end

  it "refuses an agent with 401 and changes nothing" do
    before = stored_config
    response = edit({ api_base_url: gateway.url }, user: create_member(account, role: :agent))
    expect(response.status).to eq(401)
    expect(stored_config).to eq(before)
  end

  it "leaves Chatwoot's own providers alone: a Cloud inbox's edit without the token gets a new random one" do
    cloud = create_whatsapp_inbox(account: account, provider: "whatsapp_cloud",
                                  provider_config: { "api_key" => "k1" })
    old = cloud.channel.reload.provider_config["webhook_verify_token"]
    patch "/api/v1/accounts/#{account.id}/inboxes/#{cloud.id}",
          JSON.generate(channel: { provider_config: { api_key: "k2" } }), api_headers(admin)
    expect(last_response.status).to eq(200), last_response.body
    config = cloud.channel.reload.provider_config
    expect(config["api_key"]).to eq("k2")
    expect(config["webhook_verify_token"]).to match(/\A\h{32}\z/)
    expect(config["webhook_verify_token"]).not_to eq(old)
  end
end

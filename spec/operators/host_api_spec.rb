# frozen_string_literal: true

require_relative "operators_helper"

# The test host's imitation of Chatwoot's API authentication and inbox creation, which the
# management API and bin/demo build on.
RSpec.describe "Test host API: token auth and POST /api/v1/accounts/:id/inboxes", :operators do
  let(:gateway) { FakeGateway.start(logged_in: false) }
  let(:account) { create_account }
  let(:admin) { create_member(account) }

  after { gateway.stop }

  def create_inbox(user, config: nil, phone: "+6289600000042")
    config ||= { api_base_url: gateway.url, basic_auth_username: gateway.username,
                 basic_auth_password: gateway.password }
    post "/api/v1/accounts/#{account.id}/inboxes",
         JSON.generate(name: "WA", channel: { type: "whatsapp", phone_number: phone, provider: "whatsapp_web",
                                              provider_config: config }),
         user ? api_headers(user) : { "CONTENT_TYPE" => "application/json" }
    last_response
  end

  it "gives every user a token and creates a whatsapp_web inbox for an administrator" do
    expect(admin.access_token.token).to match(/\A\w{24}\z/)
    response = create_inbox(admin)
    expect(response.status).to eq(200)
    inbox = Inbox.find(json_body["id"])
    expect(inbox.account).to eq(account)
    expect(inbox.channel).to have_attributes(provider: "whatsapp_web", phone_number: "+6289600000042")
    expect(json_body["provider_config"]).to include("api_base_url" => gateway.url)
    expect(json_body["provider_config"]["webhook_verify_token"]).to match(/\A\h{32}\z/)
  end

  it "refuses no token, a non-member, an agent, and a config the gateway does not accept" do
    expect(create_inbox(nil).status).to eq(401)
    expect(create_inbox(create_member(create_account)).status).to eq(401)
    expect(create_inbox(create_member(account, role: :agent)).status).to eq(401)
    response = create_inbox(admin, config: { api_base_url: gateway.url, basic_auth_username: gateway.username,
                                             basic_auth_password: "wrong" })
    expect(response.status).to eq(422)
    expect(json_body["message"]).to include("Invalid Credentials")
    expect(Channel::Whatsapp.count).to eq(0)
  end
end

# frozen_string_literal: true

require_relative "operators_helper"

RSpec.describe "WhatsApp Web management API", :operators do
  let(:gateway) { FakeGateway.start(logged_in: false) }
  let(:account) { create_account }
  let(:admin) { create_member(account) }
  let(:inbox) { create_gateway_inbox(gateway, account: account) }
  let(:base) { "/api/v1/accounts/#{account.id}/inboxes/#{inbox.id}/whatsapp_web" }

  after { gateway.stop }

  def call(verb, action, user: admin, body: nil, path: base)
    send(verb, "#{path}/#{action}", body && JSON.generate(body), user ? api_headers(user) : {})
    last_response
  end

  describe "authorisation" do
    it "answers 401 without a token or with an unknown one, and touches no gateway" do
      inbox
      gateway.clear_requests
      expect(call(:get, "status", user: nil).status).to eq(401)
      get "#{base}/status", nil, { "HTTP_API_ACCESS_TOKEN" => "not-a-token" }
      expect(last_response.status).to eq(401)
      expect(gateway.requests.map(&:path)).not_to include("/app/status", "/app/login")
    end

    it "answers 403 to an agent of the account" do
      agent = create_member(account, role: :agent)
      expect(call(:post, "login", user: agent).status).to eq(403)
      expect(json_body["error"]).to include("administrators")
      expect(gateway.requests.map(&:path)).not_to include("/app/login")
    end

    it "answers 404 for an inbox of another account, even to that account's own admin through this one" do
      other = create_account
      foreign = create_gateway_inbox(gateway, account: other)
      response = call(:get, "status", path: "/api/v1/accounts/#{account.id}/inboxes/#{foreign.id}/whatsapp_web")
      expect(response.status).to eq(404)
    end

    it "answers 401 (the host's rule) for an account the user does not belong to" do
      other = create_account
      foreign = create_gateway_inbox(gateway, account: other)
      response = call(:get, "status", path: "/api/v1/accounts/#{other.id}/inboxes/#{foreign.id}/whatsapp_web")
      expect(response.status).to eq(401)
    end

    it "answers 400 for an inbox that is not whatsapp_web" do
      cloud = create_whatsapp_inbox(account: account, provider: "whatsapp_cloud")
      response = call(:get, "status", path: "/api/v1/accounts/#{account.id}/inboxes/#{cloud.id}/whatsapp_web")
      expect(response.status).to eq(400)
      expect(json_body["kind"]).to eq("not_whatsapp_web")
    end
  end

  describe "status" do
    it "tells login state, device, the webhook URL to configure and whether the secret is the gateway default" do
      response = call(:get, "status")
      expect(response.status).to eq(200)
      expect(json_body).to include("connected" => false, "logged_in" => false, "inbox_id" => inbox.id,
                                   "webhook_secret_default" => false, "webhook_secret_blank" => false,
                                   "gateway_url" => gateway.url)
      digits = inbox.channel.phone_number.delete("+")
      expect(json_body["webhook_url"]).to eq("http://example.org/webhooks/whatsapp_web/#{digits}")
      expect(response.body).not_to include(gateway.password)
      expect(response.body).not_to include(inbox.channel.provider_config["webhook_verify_token"])

      gateway.logged_in = true
      call(:get, "status")
      expect(json_body).to include("connected" => true, "logged_in" => true,
                                   "device_id" => "6281100000001@s.whatsapp.net")
    end

    it "flags the gateway's default secret" do
      weak = create_gateway_inbox(gateway, account: account, secret: "secret")
      call(:get, "status", path: "/api/v1/accounts/#{account.id}/inboxes/#{weak.id}/whatsapp_web")
      expect(json_body["webhook_secret_default"]).to be(true)
    end

    it "carries the provider's sentence when the gateway is down or refuses the credentials" do
      inbox
      gateway.fail_next(:refuse)
      response = call(:get, "status")
      expect(response.status).to eq(502)
      expect(json_body).to eq("error" => "Cannot connect to the WhatsApp gateway at #{gateway.url}.",
                              "kind" => "unreachable")

      gateway.fail_next(:unauthorized)
      response = call(:get, "status")
      expect(response.status).to eq(502)
      expect(json_body["error"]).to eq(WawebNative::Outbound::Failure::BAD_CREDENTIALS)
      expect(response.body).not_to include(gateway.password)
    end
  end

  describe "login" do
    it "returns the QR code as a PNG data URL and its lifetime" do
      gateway.qr_duration = 20
      response = call(:post, "login")
      expect(response.status).to eq(200)
      expect(json_body["expires_in"]).to eq(20)
      png = Base64.strict_decode64(json_body["data_url"].delete_prefix("data:image/png;base64,"))
      expect(png).to eq(FakeGateway.png)
    end

    it "explains an already logged-in gateway (409)" do
      gateway.logged_in = true
      response = call(:post, "login")
      expect(response.status).to eq(409)
      expect(json_body["kind"]).to eq("already_logged_in")
      expect(json_body["error"]).to match(/already logged in.*Log out first/)
    end

    it "gives a pairing code for a phone, and refuses a missing phone before asking the gateway" do
      response = call(:post, "login_with_code", body: { phone: "+55 11 98765-4321" })
      expect(response.status).to eq(200)
      expect(json_body["pair_code"]).to match(/\A[A-Z]{4}-[A-Z]{4}\z/)
      expect(gateway.requests.last.query).to eq("phone" => "5511987654321")

      count = gateway.requests.size
      expect(call(:post, "login_with_code", body: { phone: "" }).status).to eq(422)
      expect(json_body["error"]).to include("international format")
      expect(gateway.requests.size).to eq(count)
    end
  end

  describe "logout, reconnect, devices" do
    it "logs out (the status then says so), reconnects and lists devices" do
      gateway.logged_in = true
      expect(call(:get, "devices").status).to eq(200)
      expect(json_body["devices"]).to eq([{ "name" => "Fake", "device" => "6281100000001@s.whatsapp.net" }])

      expect(call(:post, "reconnect").status).to eq(200)
      expect(gateway.requests.map(&:path)).to include("/app/reconnect")

      expect(call(:post, "logout").status).to eq(200)
      expect(gateway.logged_in).to be(false)
      call(:get, "status")
      expect(json_body["logged_in"]).to be(false)
    end

    it "answers 409 with the not-connected sentence when logging out a gateway that is not logged in" do
      inbox
      response = call(:post, "logout")
      expect(response.status).to eq(409)
      expect(json_body["error"]).to eq("WhatsApp is not connected. Scan the QR code again on the connection page.")
    end
  end

  describe "test (a config not saved yet)" do
    it "says reachable, credentials accepted, logged in or not" do
      response = call(:post, "test", body: { provider_config: { api_base_url: gateway.url,
                                                                basic_auth_username: gateway.username,
                                                                basic_auth_password: gateway.password } })
      expect(response.status).to eq(200)
      expect(json_body).to include("reachable" => true, "credentials_valid" => true, "logged_in" => false)
      expect(json_body["error"]).to include("Scan the QR code")

      gateway.logged_in = true
      call(:post, "test", body: { api_base_url: gateway.url })
      expect(json_body).to include("reachable" => true, "credentials_valid" => true, "logged_in" => true,
                                   "error" => nil)
    end

    it "names wrong credentials and an unreachable gateway, without saving anything" do
      call(:post, "test", body: { basic_auth_password: "wrong" })
      expect(json_body).to include("reachable" => true, "credentials_valid" => false)
      expect(json_body["error"]).to eq(WawebNative::Outbound::Failure::BAD_CREDENTIALS)
      expect(inbox.channel.reload.provider_config["basic_auth_password"]).to eq(gateway.password)

      call(:post, "test", body: { api_base_url: "ftp://gateway" })
      expect(json_body).to include("reachable" => false)
      expect(json_body["error"]).to include("api_base_url")

      call(:post, "test", body: { api_base_url: "http://127.0.0.1:1" })
      expect(json_body).to include("reachable" => false, "credentials_valid" => nil)
      expect(json_body["error"]).to eq("Cannot connect to the WhatsApp gateway at http://127.0.0.1:1.")
      expect(last_response.body).not_to include(gateway.password)
    end
  end
end

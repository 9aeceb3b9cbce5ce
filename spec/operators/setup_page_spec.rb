# frozen_string_literal: true

require_relative "operators_helper"

# The setup page and its API: a new whatsapp_web inbox in one step, against the fake gateway.
RSpec.describe "WhatsApp Web setup page and API", :operators do
  let(:gateway) { FakeGateway.start(logged_in: false) }
  let(:account) { create_account(name: "Acme") }
  let(:admin) { create_member(account) }
  let(:base) { "/api/v1/accounts/#{account.id}/whatsapp_web" }
  let(:input) do
    { name: "Sales", phone_number: "+55 11 98765-0100", api_base_url: "#{gateway.url}/",
      basic_auth_username: gateway.username, basic_auth_password: gateway.password }
  end

  after { gateway.stop }

  def call(path, body, user: admin)
    post "#{base}/#{path}", JSON.generate(body), api_headers(user)
    [last_response.status, JSON.parse(last_response.body)]
  end

  def counts = [Inbox.count, Channel::Whatsapp.count, InboxMember.count]

  describe "GET /whatsapp_web/setup" do
    it "is served to administrators (token header or ?token=), in English or Brazilian Portuguese, never cached" do
      get "/whatsapp_web/setup?token=#{token_of(admin)}"
      expect(last_response.status).to eq(200)
      expect(last_response.headers).to include("Cache-Control" => "no-store", "Referrer-Policy" => "no-referrer",
                                               "X-Frame-Options" => "DENY")
      expect(last_response.body).to include("<html lang=\"en\">", "Add a WhatsApp Web inbox", "id=\"setup-options\"",
                                            "value=\"#{account.id}\"")
      get "/whatsapp_web/setup", nil, "HTTP_API_ACCESS_TOKEN" => token_of(admin),
                                      "HTTP_ACCEPT_LANGUAGE" => "pt-BR,pt;q=0.9"
      expect(last_response.body).to include("<html lang=\"pt-BR\">", "Adicionar uma caixa de entrada WhatsApp Web",
                                            "Criar caixa de entrada")
    end

    it "answers 401 without a token and 403 to an agent; lists only accounts the viewer administers" do
      get "/whatsapp_web/setup"
      expect(last_response.status).to eq(401)
      agent = create_member(account, role: :agent)
      get "/whatsapp_web/setup?token=#{token_of(agent)}"
      expect(last_response.status).to eq(403)
      expect(last_response.body).to include("Only administrators of an account can add a WhatsApp inbox.")

      second = create_account(name: "Beta")
      AccountUser.create!(account: second, user: admin, role: :administrator)
      AccountUser.create!(account: create_account(name: "Hidden"), user: admin, role: :agent)
      get "/whatsapp_web/setup?token=#{token_of(admin)}&account_id=#{second.id}"
      expect(last_response.body).to include(">Acme</option>", "<option value=\"#{second.id}\" selected>Beta</option>")
      expect(last_response.body).not_to include("Hidden")
    end
  end

  describe "POST test" do
    it "says reachable / credentials / logged in, and the sentence when something is wrong" do
      status, body = call("test", input)
      expect([status, body]).to match([200, a_hash_including("reachable" => true, "credentials_valid" => true,
                                                             "logged_in" => false)])
      _, body = call("test", input.merge(basic_auth_password: "wrong"))
      expect(body).to include("reachable" => true, "credentials_valid" => false,
                              "error" => WawebNative::Outbound::Failure::BAD_CREDENTIALS)
      _, body = call("test", input.merge(api_base_url: "http://127.0.0.1:9"))
      expect(body).to include("reachable" => false, "error" => "Cannot connect to the WhatsApp gateway at http://127.0.0.1:9.")
    end
  end

  describe "POST inboxes" do
    it "creates the inbox through the models with the administrator as a member and configures the gateway" do
      status, body = call("inboxes", input)
      expect(status).to eq(201)
      inbox = Inbox.find(body["inbox_id"])
      expect([inbox.name, inbox.account, inbox.channel.phone_number, inbox.channel.provider])
        .to eq(["Sales", account, "+5511987650100", "whatsapp_web"])
      expect(inbox.members).to eq([admin])
      expect(inbox.channel.provider_config).to include("api_base_url" => gateway.url,
                                                       "device_id" => "chatwoot_5511987650100")
      expect(body["connect_url"]).to eq("http://example.org/whatsapp_web/inboxes/#{inbox.id}/connect")
      expect(body["gateway"]).to include("configured" => true, "device_id" => "chatwoot_5511987650100")
      expect(gateway.device_webhook("chatwoot_5511987650100")).to include(
        "webhook_url" => "http://example.org/webhooks/whatsapp_web/5511987650100",
        "webhook_secret" => inbox.channel.provider_config["webhook_verify_token"]
      )
      expect(last_response.body).not_to include(gateway.password, inbox.channel.provider_config["webhook_verify_token"])
    end

    it "creates nothing for an unreachable gateway, a wrong password, a used number, missing input or an agent" do
      before = counts
      expect(call("inboxes", input.merge(api_base_url: "http://127.0.0.1:9")))
        .to eq([502,
                { "error" => "Cannot connect to the WhatsApp gateway at http://127.0.0.1:9.",
                  "kind" => "unreachable" }])
      expect(call("inboxes", input.merge(basic_auth_password: "wrong")))
        .to eq([502, { "error" => WawebNative::Outbound::Failure::BAD_CREDENTIALS, "kind" => "bad_credentials" }])
      expect(call("inboxes",
                  input.merge(name: " "))).to eq([422,
                                                  { "error" => "Give the inbox a name.", "kind" => "invalid_input" }])
      status, body = call("inboxes", input.merge(phone_number: "0123"))
      expect([status, body["kind"],
              body["error"]]).to eq([422, "invalid_input", "Give the WhatsApp number in international " \
                                                           "format (country code first), e.g. +5511987654321."])
      agent = create_member(account, role: :agent)
      expect(call("inboxes", input, user: agent).first).to eq(403)
      expect(counts).to eq(before)

      create_gateway_inbox(gateway, account: create_account, phone_number: "+5511987650100")
      before = counts
      status, body = call("inboxes", input)
      expect([status, body["kind"]]).to eq([422, "phone_taken"])
      expect(body["error"]).to eq("The number +5511987650100 is already used by another inbox in this Chatwoot. " \
                                  "Use that inbox, or remove it first.")
      expect(counts).to eq(before)
      expect(gateway.requests.map(&:path)).not_to include("/devices")
    end

    it "import_days is kept with the inbox and starts one import at the first login; a bad value creates nothing" do
      before = counts
      %w[abc -1 366 2.5].each do |bad|
        expect(call("inboxes", input.merge(import_days: bad)))
          .to eq([422, { "error" => "Give the days of history to import as a whole number from 0 to 365.",
                         "kind" => "invalid_input" }])
      end
      expect(counts).to eq(before)

      gateway.store_message("6281234567890@s.whatsapp.net", id: "SETUP1", timestamp: Time.now.utc - 3600,
                                                            content: "from yesterday's phone")
      status, body = call("inboxes", input.merge(import_days: "3"))
      expect(status).to eq(201)
      inbox = Inbox.find(body["inbox_id"])
      expect(inbox.channel.provider_config["import_days"]).to eq(3)
      expect(WawebNative.status(inbox)[:import]).to be_nil # not logged in yet: nothing to read
      gateway.scan!(inbox.channel.provider_config["device_id"], "5511987650100")
      expect(WawebNative.status(inbox)[:import]).to include(state: "queued")
      expect(WawebNative::History::ImportState.find_by(inbox_id: inbox.id).days).to eq(3)
      WawebNative.status(inbox)
      expect(WawebNative::History::ImportState.where(inbox_id: inbox.id).count).to eq(1)

      status, body = call("inboxes", input.merge(phone_number: "+5511987650101", import_days: "0"))
      expect(status).to eq(201)
      expect(Inbox.find(body["inbox_id"]).channel.provider_config).not_to have_key("import_days")
    end

    it "on a v7 gateway creates the inbox and says what is left: the flags, since it has no device webhooks" do
      gateway.version = 7
      status, body = call("inboxes", input)
      expect(status).to eq(201)
      expect(body["gateway"]).to include("configured" => false, "state" => "too_old",
                                         "message" => WawebNative::Operators::GatewayConfiguration::TOO_OLD)
      expect(body["gateway"]["flags"]).to include("--webhook=http://example.org/webhooks/whatsapp_web/5511987650100")
      expect(Inbox.find(body["inbox_id"]).channel.provider_config["device_id"]).to be_nil
    end

    it "a webhook set elsewhere is left alone and reported (the page asks before replacing it)" do
      gateway.add_device("sales")
      gateway.set_device_webhook("sales", "https://n8n.example/h")
      status, body = call("inboxes", input.merge(device_id: "sales"))
      expect(status).to eq(201)
      expect(body["gateway"]).to include("state" => "elsewhere", "current_url" => "https://n8n.example/h")
      expect(gateway.device_webhook("sales")["webhook_url"]).to eq("https://n8n.example/h")
    end
  end
end

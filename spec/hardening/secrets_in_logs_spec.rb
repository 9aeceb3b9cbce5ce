# frozen_string_literal: true

require_relative "../inbound/inbound_helper"

# The whole run's log output is checked for secrets after the suite (spec/support/secret_registry.rb).
# These examples make that check meaningful: they walk the error paths that handle secrets,
# show the capture sees their log lines, and show the check would catch a leak.
RSpec.describe "Secrets in logs", :inbound do
  let(:gateway) { FakeGateway.start }
  let(:inbox) { create_web_inbox(gateway: gateway, phone_number: "+6289600000077") }
  let(:channel) { inbox.channel }

  after { gateway.stop }

  def outgoing_message
    conversation = create_conversation(inbox: inbox)
    create_message(conversation: conversation, message_type: :outgoing, content: "Hello from the agent")
  end

  it "registers the channel's password and webhook secret, and the fake gateway's password" do
    expect(SecretRegistry).to include(gateway.password)
    expect(SecretRegistry).to include(secret_of(inbox))
    expect(secret_of(inbox).length).to be >= SecretRegistry::MIN_LENGTH
  end

  it "a wrong Basic Auth password: the AuthenticationError is logged, the password is not" do
    wrong = "wrong-#{SecureRandom.hex(8)}"
    channel.update_columns(provider_config: channel.provider_config.merge("basic_auth_password" => wrong))
    message = outgoing_message
    lines = LogCapture.during do
      service = Whatsapp::Providers::WhatsappWebService.new(whatsapp_channel: channel.reload)
      expect(service.send_message(message.conversation.contact_inbox.source_id, message)).to be_nil
    end
    expect(lines).to include("not sent (WawebNative::Gateway::AuthenticationError)")
    expect(SecretRegistry).to include(wrong) # seen by the client although update_columns skipped callbacks
    expect(SecretRegistry.leaks(lines)).to be_empty
    expect(message.reload.content_attributes.to_json).not_to include(wrong, gateway.password)
  end

  it "a bad signature: the 401 warning is logged, the secret is not" do
    body = fixture("v8/text.json")
    lines = LogCapture.during do
      expect(post_webhook(inbox, body, secret: "#{secret_of(inbox)}x").status).to eq(401)
      expect(post_webhook(inbox, body, secret: nil).status).to eq(401)
    end
    expect(lines).to include("webhook rejected: invalid X-Hub-Signature-256", "webhook rejected: missing")
    expect(SecretRegistry.leaks(lines)).to be_empty
  end

  it "request parameters carrying provider_config are logged filtered (the engine adds the keys)" do
    account = inbox.account
    user = create_user
    AccountUser.create!(account: account, user: user, role: :administrator)
    config = { api_base_url: gateway.url, basic_auth_username: gateway.username,
               basic_auth_password: gateway.password, webhook_verify_token: "typed-#{SecureRandom.hex(8)}" }
    lines = LogCapture.during do
      post "/api/v1/accounts/#{account.id}/inboxes",
           JSON.generate(name: "WA", channel: { type: "whatsapp", phone_number: "+6289600000078",
                                                provider: "whatsapp_web", provider_config: config }),
           "HTTP_API_ACCESS_TOKEN" => user.access_token.token, "CONTENT_TYPE" => "application/json"
    end
    expect(last_response.status).to eq(200)
    expect(lines).to include("Parameters:", '"basic_auth_password"=>"[FILTERED]"',
                             '"webhook_verify_token"=>"[FILTERED]"')
    expect(lines).not_to include(gateway.password, config[:webhook_verify_token])
  end

  it "the capture sees Rails.logger, swapped-in loggers, the Sidekiq logger and $stderr" do
    marker = "capture-check-#{SecureRandom.hex(4)}"
    lines = LogCapture.during do
      Rails.logger.info("#{marker} rails")
      log_lines { Rails.logger.info("#{marker} swapped") }
      Sidekiq.logger.info("#{marker} sidekiq")
      $stderr.write("#{marker} stderr (a check of the log capture)\n") # rubocop:disable RSpec/Output
    end
    expect(lines).to include("#{marker} rails", "#{marker} swapped", "#{marker} sidekiq", "#{marker} stderr")
  end

  it "the check would find a registered secret in logged text, and reads the log files' new lines" do
    secret = secret_of(inbox)
    expect(SecretRegistry.leaks("INFO token=#{secret}\n")).to include(secret)
    expect(SecretRegistry.leaks("INFO Basic #{gateway.password}\n")).to include(gateway.password)
    expect(SecretRegistry.leaks("INFO nothing here\n")).to be_empty
    post_webhook(inbox, fixture("v8/text.json"), secret: nil)
    expect(SecretRegistry.appended_logs).to include("webhook rejected: missing X-Hub-Signature-256 from 127.0.0.1 " \
                                                    "for WhatsApp Web channel #{channel.phone_number}")
  end

  it "nothing logged so far in this run holds a secret" do
    post_webhook(inbox, fixture("v8/text.json"), secret: nil)
    expect(SecretRegistry.check_run).to be_empty
  end
end

# frozen_string_literal: true

require "rails_helper"

# Accounts, members with Chatwoot's roles and their API tokens, and whatsapp_web inboxes
# whose gateway is a FakeGateway.
module OperatorsHelpers
  def create_member(account, role: :administrator)
    user = create_user
    AccountUser.create!(account: account, user: user, role: role)
    user
  end

  def token_of(user) = user.access_token.token

  def create_gateway_inbox(gateway, account: create_account, secret: nil, phone_number: nil)
    config = { "api_base_url" => gateway.url, "basic_auth_username" => gateway.username,
               "basic_auth_password" => gateway.password }
    config["webhook_verify_token"] = secret if secret
    create_whatsapp_inbox(account: account, provider: "whatsapp_web", provider_config: config,
                          phone_number: phone_number || "+5511#{format('%09d', rand(1_000_000_000))}")
  end

  def api_headers(user)
    { "HTTP_API_ACCESS_TOKEN" => token_of(user), "CONTENT_TYPE" => "application/json",
      "HTTP_ACCEPT" => "application/json" }
  end

  def json_body = JSON.parse(last_response.body)
end

RSpec.configure do |config|
  config.include OperatorsHelpers, :operators
end

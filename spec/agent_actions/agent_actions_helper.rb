# frozen_string_literal: true

require_relative "../inbound/inbound_helper"

# An agent acting in a whatsapp_web conversation through Chatwoot's own routes
# (chatwoot-contract.md, "Where agents act"), against a FakeGateway.
module AgentActionHelpers
  def create_agent(account)
    user = create_user
    AccountUser.create!(account: account, user: user, role: :agent)
    user
  end

  def agent_headers(user)
    { "HTTP_API_ACCESS_TOKEN" => user.access_token.token, "CONTENT_TYPE" => "application/json",
      "HTTP_ACCEPT" => "application/json" }
  end

  def conversation_path(conversation)
    "/api/v1/accounts/#{conversation.account_id}/conversations/#{conversation.display_id}"
  end

  # POST update_last_seen, as the dashboard does when the agent opens the conversation.
  def open_conversation(conversation, as: agent)
    post("#{conversation_path(conversation)}/update_last_seen", "{}", agent_headers(as))
    last_response
  end

  def mark_unread(conversation, as: agent)
    post("#{conversation_path(conversation)}/unread", "{}", agent_headers(as))
    last_response
  end

  def toggle_typing(conversation, status, is_private: false, as: agent)
    body = JSON.generate(typing_status: status, is_private: is_private)
    post("#{conversation_path(conversation)}/toggle_typing_status", body, agent_headers(as))
    last_response
  end

  def delete_message(message, as: agent)
    delete("#{conversation_path(message.conversation)}/messages/#{message.id}", nil, agent_headers(as))
    last_response
  end

  # [path, json] of the gateway calls whose path matches.
  def gateway_calls(gateway, pattern)
    gateway.requests.select { |r| r.path.match?(pattern) }.map { |r| [r.path, r.json] }
  end

  # A whatsapp_web conversation with the chat `digits` (a ContactInbox like the inbound path makes).
  def web_conversation(inbox, digits: "628123456789")
    contact = create_contact(account: inbox.account, name: "Ana", phone_number: "+#{digits}")
    create_conversation(inbox: inbox, contact_inbox: create_contact_inbox(inbox: inbox, contact: contact,
                                                                          source_id: digits))
  end

  def incoming(conversation, source_id, **attrs)
    create_message(conversation: conversation, message_type: :incoming, source_id: source_id, **attrs)
  end
end

# What every agent-action spec starts from: an agent of a whatsapp_web inbox on a
# FakeGateway, and a conversation with the chat 628123456789.
RSpec.shared_context "with an agent in a whatsapp_web conversation" do
  let(:gateway) { FakeGateway.start }
  let(:inbox) { create_web_inbox(gateway: gateway) }
  let(:agent) { create_agent(inbox.account) }
  let(:conversation) { web_conversation(inbox) }
  let(:chat) { "628123456789@s.whatsapp.net" }

  after { gateway.stop }
end

RSpec.configure do |config|
  config.include AgentActionHelpers, :agent_actions
  config.include InboundHelpers, :agent_actions
  config.before(:each, :agent_actions) { WawebNative::Inbound::ChannelLookup.clear! }
end

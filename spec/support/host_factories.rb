# frozen_string_literal: true

# Plain builders for the Chatwoot-shaped host (spec/dummy). Included by rails_helper;
# loading this file alone references no Rails constant.
module HostFactories
  PROVIDER_CONFIGS = {
    "default" => { "api_key" => "test-360dialog-key" },
    "whatsapp_cloud" => { "api_key" => "test-cloud-key", "phone_number_id" => "1001", "business_account_id" => "2002" }
  }.freeze

  def host_sequence
    @host_sequence = (@host_sequence || 0) + 1
  end

  def create_account(name: "Account #{host_sequence}", **attrs)
    Account.create!(name: name, **attrs)
  end

  def create_user(name: "Agent #{host_sequence}", email: nil)
    User.create!(name: name, email: email || "agent#{host_sequence}-#{SecureRandom.hex(3)}@example.com")
  end

  # provider_config defaults to credentials the provider's stand-in accepts ({} for whatsapp_web).
  # inbox_attrs: name:, lock_to_single_conversation: (default false).
  def create_whatsapp_inbox(account: nil, provider: "whatsapp_web", phone_number: nil, provider_config: nil,
                            **inbox_attrs)
    account ||= create_account
    phone_number ||= "+5511#{format('%09d', rand(1_000_000_000))}"
    config = provider_config || PROVIDER_CONFIGS.fetch(provider, {}).dup
    channel = Channel::Whatsapp.create!(account: account, provider: provider, phone_number: phone_number,
                                        provider_config: config)
    Inbox.create!(account: account, channel: channel, name: "WhatsApp #{phone_number}", **inbox_attrs)
  end

  def create_contact(account:, name: "Contact #{host_sequence}", phone_number: nil, **attrs)
    Contact.create!(account: account, name: name, phone_number: phone_number, **attrs)
  end

  # source_id defaults to the contact's phone digits, as Chatwoot's WhatsApp inboxes use.
  def create_contact_inbox(inbox:, contact: nil, source_id: nil)
    contact ||= create_contact(account: inbox.account, phone_number: "+5521#{format('%09d', rand(1_000_000_000))}")
    source_id ||= contact.phone_number.to_s.delete("+")
    ContactInbox.create!(contact: contact, inbox: inbox, source_id: source_id)
  end

  def create_conversation(inbox:, contact_inbox: nil, status: :open, **attrs)
    contact_inbox ||= create_contact_inbox(inbox: inbox)
    Conversation.create!(account: inbox.account, inbox: inbox, contact: contact_inbox.contact,
                         contact_inbox: contact_inbox, status: status, **attrs)
  end

  # message_type :incoming is sent by the conversation's contact, :outgoing by a new agent unless sender: is given.
  def create_message(conversation:, message_type: :incoming, content: "hello", sender: nil, **attrs)
    sender ||= message_type.to_s == "incoming" ? conversation.contact : create_user
    Message.create!(account: conversation.account, inbox: conversation.inbox, conversation: conversation,
                    message_type: message_type, content: content, sender: sender, **attrs)
  end
end

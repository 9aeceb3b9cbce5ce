# frozen_string_literal: true

require "digest"
require "json"

module Whatsapp
  # Turns one gateway webhook (v7 flat or v8 envelope) into Chatwoot records of a
  # whatsapp_web inbox. Built from the raw body (`raw:`, or `params:` as a String) or
  # from Chatwoot's params Hash (`params:`); `perform` classifies it (C) and:
  # - messages (text, media, contact card, location, unsupported): contact, conversation
  #   and message, once per (inbox, event) - see WawebNative::Inbound::ProcessedEvent;
  #   `from_me` (typed on the phone) becomes an outgoing message with its source_id, so
  #   Chatwoot never sends it back;
  # - reactions, edits, revokes change the message they name;
  # - receipts move statuses forward; group events leave an activity message;
  # - delete-for-me and the events the product ignores change nothing.
  # A history import (WawebNative::History) hands its messages here as the webhooks the
  # gateway would have sent, with `history:` (a WawebNative::History::ChatImport): the
  # message then takes its WhatsApp time as created_at, and the import counts it in the
  # same transaction.
  class IncomingMessageWhatsappWebService
    MESSAGE_KINDS = %i[text image video audio document sticker contact location unsupported].freeze
    ROUTE_KEYS = %w[phone_number controller action format whatsapp].freeze

    attr_reader :inbox, :event

    def initialize(inbox:, params: nil, raw: nil, history: nil)
      @inbox = inbox
      @history = history
      @raw = raw || self.class.raw_body(params)
    end

    # The JSON text of what Chatwoot's controller queued (its params, route keys removed).
    def self.raw_body(params)
      return params if params.is_a?(String)

      hash = params.respond_to?(:to_unsafe_h) ? params.to_unsafe_h : params.to_h
      JSON.generate(hash.deep_stringify_keys.except(*ROUTE_KEYS))
    end

    def perform
      @event = WawebNative::Payload.classify(@raw)
      dispatch
    rescue WawebNative::ParseError => e
      # A body that passed the endpoint but not the parser: retrying cannot help.
      Rails.logger.error("[waweb_native] unreadable webhook for inbox #{@inbox.id}: #{e.message}")
      nil
    end

    private

    def dispatch
      case event.kind
      when *MESSAGE_KINDS then create_message
      when :reaction then mutate { mutations.react(event, reactor, who: actor_name) }
      when :edit then mutate { mutations.edit(event, who: actor_name) }
      when :revoke then mutate { mutations.revoke(event, who: actor_name) }
      when :receipt then WawebNative::Inbound::ReceiptApplier.new(inbox).apply(event)
      when :group_participants, :group_joined then group_activity
      end
    end

    # --- messages -------------------------------------------------------------

    def create_message
      chat = chat_jid
      return if chat.nil?

      key = message_key
      # The claim below drops a duplicate on its own; asking first only spares the work
      # done before it (a media download, a new group's name from the gateway).
      return if work_before_claim?(chat) && processed?(key)

      group_name = WawebNative::Inbound::GatewayAccess.group_name(channel, chat.to_s) if new_group?(chat)
      media = fetch_media(chat)
      log_unsupported if event.kind == :unsupported
      message = once(key, media) { save_message(chat, group_name, media) }
      WawebNative::Inbound::ContactAvatar.refresh_later(inbox, message)
      message
    ensure
      media&.close
    end

    def save_message(chat, group_name, media)
      return nil if event.message_id.present? && ::Message.exists?(inbox_id: inbox.id, source_id: event.message_id)

      chat_contact_inbox, sender_contact_inbox = contact_inboxes_for(chat, group_name)
      return nil if chat_contact_inbox.nil?

      sender = sender_contact_inbox&.contact # read before the lock below reloads the ContactInbox
      conversation = conversation_finder.find_or_create(chat_contact_inbox, group: chat.group?)
      built = WawebNative::Inbound::MessageContent.build(event, media, inbox.account_id)
      attributes = message_attributes(built, sender)
      attributes = group_sender_line(attributes, sender) if chat.group?
      persist(conversation.messages.new(attributes), built)
    end

    # Saves the message with its attachments; an import counts it in the same transaction.
    def persist(message, built)
      built.attachments.each { |attachment| message.attachments.new(attachment) }
      message.save!
      @history&.count(message)
      message
    end

    def message_attributes(built, sender)
      attributes = { account: inbox.account, inbox: inbox, content: built.content,
                     message_type: event.from_me? ? :outgoing : :incoming, source_id: event.message_id.presence,
                     content_attributes: built.content_attributes, sender: sender }
      attributes[:content_type] = built.content_type if built.content_type
      attributes[:created_at] = Time.at(event.timestamp).utc if @history && event.timestamp
      attributes
    end

    # Who wrote a group message, as the first line of its content (per-inbox switch).
    def group_sender_line(attributes, sender)
      return attributes if event.from_me?

      WawebNative::Inbound::MessagePresentation.with_sender(attributes, inbox: inbox, kind: event.kind, sender: sender)
    end

    # [the conversation's contact inbox (the chat), the sender's contact inbox or nil]
    def contact_inboxes_for(chat, group_name)
      resolver = WawebNative::Inbound::ContactResolver.new(inbox)
      if chat.group?
        [resolver.resolve(chat, name: group_name), event.from_me? ? nil : sender_contact_inbox(resolver, nil)]
      elsif event.from_me?
        [resolver.resolve(chat), nil] # the push name and LID are the account's own here
      else
        contact_inbox = sender_contact_inbox(resolver, chat)
        [contact_inbox, contact_inbox]
      end
    end

    def sender_contact_inbox(resolver, chat)
      candidates = [jid(event.sender), chat].compact
      phone = candidates.find { |j| j.kind == :user }
      lid = [jid(event.sender_lid), *candidates].compact.find(&:lid?)
      name = WawebNative::Inbound::ContactName.for(event)
      return resolver.resolve(lid, name: name) if phone.nil? && lid

      return nil if phone.nil?

      lid = nil if own_account?(phone)
      resolver.resolve(phone, lid: lid, name: name)
    end

    # A url without a path: the gateway did not download it (auto-download off); ask it to.
    def fetch_media(chat)
      return nil unless WawebNative::Inbound::MessageContent::MEDIA_KINDS.include?(event.kind)

      fetcher = WawebNative::Inbound::MediaFetcher.new(channel)
      return fetcher.fetch(event) if event.media_path.present?

      fetcher.fetch_on_demand(event, chat) if event.media_url.present? && event.message_id.present?
    end

    def log_unsupported
      Rails.logger.warn("[waweb_native] unsupported WhatsApp message #{event.message_id} (inbox #{inbox.id}): " \
                        "#{@raw.to_s[0, 4096]}")
    end

    # --- changes to a stored message ------------------------------------------

    # A reaction, edit or revoke changes its message once: the event's id (or, without
    # one, its exact bytes) is claimed in the ledger in the same transaction, so a
    # redelivered or late duplicate (an old edit after a newer one) is dropped.
    def mutate(&)
      key = event.message_id.present? ? "#{event.kind}:#{event.message_id}" : body_key
      return if processed?(key)

      once(key, nil, &)
    end

    # The name the activity line gives whoever reacted, edited or deleted; nil when
    # the event does not say (the message's author is used then).
    def actor_name
      return WawebNative::Inbound::MessagePresentation::OWN_ACCOUNT if event.from_me?

      who = [jid(event.sender), jid(event.sender_lid)].compact.find { |j| j.kind != :group }
      return nil if who.nil?

      contact = WawebNative::Inbound::ContactResolver.new(inbox).existing(who)&.contact
      return WawebNative::Inbound::MessagePresentation.person(contact, fallback: who.phone) if contact

      event.push_name.presence || who.phone
    end

    # --- group events ---------------------------------------------------------

    def group_activity
      chat = chat_jid
      return unless chat&.group?

      known = WawebNative::Inbound::ContactResolver.new(inbox).existing(chat)
      conversation = known && conversation_finder.last(known.contact_id)
      return if conversation.nil? || processed?(body_key)

      content = activity_content
      return if content.nil?

      once(body_key, nil) do
        conversation.messages.create!(account_id: inbox.account_id, inbox_id: inbox.id, message_type: :activity,
                                      content: content)
      end
    end

    def activity_content
      return WawebNative::Inbound::GroupActivity.joined_content(event) if event.kind == :group_joined

      names = WawebNative::Inbound::GroupActivity.display_names(inbox, Array(event.participants))
      WawebNative::Inbound::GroupActivity.content(event, names)
    end

    # --- idempotency ----------------------------------------------------------

    # The ledger claim shared with history imports (WawebNative::Inbound::ProcessedEvent.claim).
    def once(key, media, &)
      rewind = media.respond_to?(:tempfile) ? -> { media.tempfile.rewind } : nil
      WawebNative::Inbound::ProcessedEvent.claim(inbox.id, key, before_attempt: rewind, &)
    end

    def processed?(key)
      WawebNative::Inbound::ProcessedEvent.processed?(inbox.id, key)
    end

    # Events without an id (group events) are keyed by their exact bytes: the
    # gateway's retries resend the same body.
    def body_key
      @body_key ||= "body:#{Digest::SHA256.hexdigest(@raw)}"
    end

    # --- helpers --------------------------------------------------------------

    def chat_jid
      chat = jid(event.chat) || jid(event.sender)
      chat if chat && %i[user lid group].include?(chat.kind)
    end

    def message_key
      event.message_id.present? ? WawebNative::Inbound::ProcessedEvent.message_key(event.message_id) : body_key
    end

    def work_before_claim?(chat)
      chat.group? || event.kind == :unsupported || WawebNative::Inbound::MessageContent::MEDIA_KINDS.include?(event.kind)
    end

    def new_group?(chat)
      chat.group? && WawebNative::Inbound::ContactResolver.new(inbox).existing(chat).nil?
    end

    def own_account?(phone)
      own = jid(event.device_id)
      !own.nil? && own.to_s == phone.to_s
    end

    # Who reacted, as the key of content_attributes["reactions"].
    def reactor
      return "me" if event.from_me?

      (jid(event.sender) || jid(event.sender_lid))&.source_id || "unknown"
    end

    def jid(value)
      return nil if value.blank?

      WawebNative::JID.parse(value)
    rescue WawebNative::InvalidJID
      nil
    end

    def channel
      inbox.channel
    end

    def mutations
      @mutations ||= WawebNative::Inbound::MessageMutations.new(inbox)
    end

    def conversation_finder
      @conversation_finder ||= WawebNative::Inbound::ConversationFinder.new(inbox)
    end
  end
end

# frozen_string_literal: true

require "waweb_native/chatwoot"
require "waweb_native/outbound/failure"

module WawebNative
  module Outbound
    # The WhatsApp chat behind a Chatwoot conversation of a whatsapp_web inbox: what the
    # agent-side actions (read, typing, delete) need to call the gateway. nil from .for
    # for any other inbox, so each action's first line is its eligibility check.
    AgentChat = Struct.new(:conversation, :channel, :chat) do
      def self.for(conversation)
        channel = conversation&.inbox&.channel
        return nil unless WawebNative::Chatwoot.whatsapp_web?(channel)

        chat = conversation.contact_inbox&.source_id.to_s
        chat.empty? ? nil : new(conversation, channel, chat)
      end

      def provider = channel.provider_service
      def inbox_id = conversation.inbox_id

      # What an operator reads in a log line about this chat (no message text, no secret).
      def describe = "conversation #{conversation.id} (inbox #{inbox_id}, chat #{chat})"

      # The gateway's sentence for an error of an action on this chat.
      def explain(error)
        return error.message unless error.is_a?(WawebNative::Gateway::Error)

        Failure.sentence(error, provider.api_base_url)
      end
    end
  end
end

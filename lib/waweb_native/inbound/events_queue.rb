# frozen_string_literal: true

module WawebNative
  module Inbound
    # The Sidekiq queue of Webhooks::WhatsappWebEventsJob: WAWEB_EVENTS_QUEUE, else `default`.
    # Chatwoot's Sidekiq takes its queues in strict priority (critical, high, medium, default,
    # mailers, action_mailbox_routing, low, ...): a job on `low` runs only while every queue
    # above it is empty, i.e. after the events, broadcasts and webhooks of earlier messages
    # and after outgoing mail. Chatwoot files the customer messages of its live channels
    # (Telegram, Line, Facebook, Instagram, SMS, TikTok) on `default`; only WhatsApp Cloud
    # and Twilio use `low`. A customer's message is the same kind of work, so `default`.
    # Read on each enqueue; a name Sidekiq could not be listening to falls back, loudly.
    module EventsQueue
      DEFAULT = "default"
      NAME = /\A[a-z0-9_]{1,64}\z/

      module_function

      def name
        configured = ENV.fetch("WAWEB_EVENTS_QUEUE", "").strip
        return DEFAULT if configured.empty?
        return configured if NAME.match?(configured)

        ::Rails.logger.warn("[waweb_native] WAWEB_EVENTS_QUEUE=#{configured[0, 64].dump} is not a queue name " \
                            "(a-z, 0-9, _); using #{DEFAULT}")
        DEFAULT
      end
    end
  end
end

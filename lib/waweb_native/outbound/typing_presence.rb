# frozen_string_literal: true

require "waweb_native/outbound/shared_state"
require "waweb_native/outbound/shared_lock"
require "waweb_native/outbound/agent_chat"

module WawebNative
  module Outbound
    # "typing..." on the customer's phone while an agent types a public reply
    # (POST /send/chat-presence). Chatwoot repeats typing_on as the agent types, so a
    # start goes out at most once per chat every START_INTERVAL seconds (or again after a
    # stop); a stop goes out on typing_off or once the reply is sent, and only after a start. Private notes never
    # show. The calls run in WhatsappWeb::TypingPresenceJob; nothing here raises.
    #
    # The jobs may run in any order (several Sidekiq threads and processes), so each carries
    # the time of the agent's action, and a chat's presence calls go out one at a time: a
    # call older than the newest one already sent for the chat is dropped, so a start that
    # comes after its stop cannot leave "typing..." on the phone.
    module TypingPresence
      START_INTERVAL = 5
      # WhatsApp drops a composing state by itself after about 25 s; a stop after that is moot.
      SHOWN_FOR = 60
      # The longest one presence call holds its chat (the others wait that long at most).
      CALL_HOLD = 10
      TRUE_VALUES = [true, "true", "1", 1].freeze

      module_function

      # conversation.typing_on: the conversation, who types, is_private as Chatwoot passes it;
      # at: the event's time (when the agent typed).
      def typing_on(conversation, user, is_private, at: nil)
        target = eligible(conversation, user, is_private)
        return unless target && SharedState.claim(key(target, "start"), START_INTERVAL)

        SharedState.put(key(target, "shown"), SHOWN_FOR)
        ::WhatsappWeb::TypingPresenceJob.perform_later(conversation.id, "start", stamp(at))
      rescue StandardError => e
        log_error("typing start", conversation, e)
      end

      def typing_off(conversation, user, is_private, at: nil)
        target = eligible(conversation, user, is_private)
        return unless target && shown_cleared?(target)

        ::WhatsappWeb::TypingPresenceJob.perform_later(conversation.id, "stop", stamp(at))
      rescue StandardError => e
        log_error("typing stop", conversation, e)
      end

      # After a reply went out through `provider` (in SendReplyJob): the stop, right away,
      # as of the time the agent sent the reply.
      def reply_sent(provider, message, chat)
        conversation = message.respond_to?(:conversation) ? message.conversation : nil
        target = AgentChat.for(conversation)
        return unless target && shown_cleared?(target)

        sent_at = message.respond_to?(:created_at) ? message.created_at : nil
        in_order(target, stamp(sent_at)) { provider.typing(chat, false) }
      rescue StandardError => e
        log_error("typing stop after the reply", conversation, e)
      end

      # Runs in the job: the gateway call itself, unless a newer one was already sent for the
      # chat (at: nil, a job queued before jobs carried it: sent as it comes). Returns true
      # when the gateway took it.
      def send_presence(conversation, action, at = nil)
        target = AgentChat.for(conversation)
        return false unless target

        in_order(target, at) { target.provider.typing(target.chat, action == "start") }
      rescue WawebNative::Gateway::Error, WawebNative::InvalidJID => e
        reason = target ? target.explain(e) : e.message
        logger&.warn("[waweb_native] typing #{action} not shown for #{target&.describe} (#{e.class.name}): #{reason}")
        false
      end

      # True when a start was shown (now cleared); the next typing_on starts again at once.
      def shown_cleared?(target)
        return false unless SharedState.release(key(target, "shown"))

        SharedState.release(key(target, "start"))
        true
      end

      # Runs the call unless a call stamped at or after `at` was already sent for the chat.
      def in_order(target, at)
        SharedLock.exclusively(key(target, "calling"), CALL_HOLD) do
          next false unless at.nil? || SharedState.advance(key(target, "newest"), at, SHOWN_FOR)

          yield
        end
      end

      # Microseconds since the epoch of a Time (or the ISO 8601 text of one); now for nil.
      def stamp(time)
        time = Time.iso8601(time) if time.is_a?(String)
        time = time.respond_to?(:to_time) ? time.to_time : Time.now
        (time.to_i * 1_000_000) + time.usec
      rescue ArgumentError
        stamp(nil)
      end

      def eligible(conversation, user, is_private)
        return nil if TRUE_VALUES.include?(is_private)
        return nil if defined?(::Contact) && user.is_a?(::Contact) # the customer typing in a widget

        AgentChat.for(conversation)
      end

      def key(target, what) = "waweb:typing:#{what}:#{target.inbox_id}:#{target.chat}"

      def log_error(what, conversation, error)
        logger&.error("[waweb_native] #{what} for conversation #{conversation&.id} failed (#{error.class}): " \
                      "#{error.message}")
      end

      def logger = WawebNative.logger
    end
  end
end

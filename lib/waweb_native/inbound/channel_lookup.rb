# frozen_string_literal: true

require "concurrent/map"

module WawebNative
  module Inbound
    # Finds the Channel::Whatsapp a webhook URL names. The gateway may be configured
    # with "+digits", bare digits or the number as Chatwoot stores it, so all three are
    # tried. The webhook endpoint caches what it needs (id, provider, secret) for a few
    # seconds per phone, misses included: a burst of webhooks costs one query.
    module ChannelLookup
      TTL = 5.0
      MAX_ENTRIES = 1_000 # the phone comes from the URL: never let it grow the cache unbounded

      Entry = Struct.new(:id, :phone_number, :provider, :secret, :expires_at) do
        def whatsapp_web?
          provider == Chatwoot::PROVIDER
        end
      end

      @cache = Concurrent::Map.new

      module_function

      def find(phone)
        now = Process.clock_gettime(Process::CLOCK_MONOTONIC)
        hit = @cache[phone]
        return hit if hit && hit.expires_at > now

        @cache.clear if @cache.size >= MAX_ENTRIES
        entry = build_entry(find_record(phone), now)
        @cache[phone] = entry
        entry
      end

      def find_record(phone)
        phones = candidates(phone)
        return nil if phones.empty?

        found = ::Channel::Whatsapp.where(phone_number: phones).to_a
        found.find { |c| c.phone_number == phone } || found.first
      end

      def candidates(phone)
        written = phone.to_s.strip
        digits = written.delete("^0-9")
        return [] if digits.empty? || digits.length > 20

        [written, "+#{digits}", digits].uniq
      end

      # Chatwoot's rule for whether a channel's events are processed.
      def active?(channel)
        return false if channel.nil?
        return false if channel.respond_to?(:reauthorization_required?) && channel.reauthorization_required?

        account = channel.respond_to?(:account) ? channel.account : nil
        account.nil? || !account.respond_to?(:active?) || account.active?
      end

      def clear!
        @cache.clear
      end

      def build_entry(channel, now)
        # A miss is cached too (as an Entry without id), so unknown phones cost one query per TTL.
        return Entry.new(nil, nil, nil, nil, now + TTL).freeze if channel.nil?

        secret = (channel.provider_config || {})["webhook_verify_token"].to_s
        Entry.new(channel.id, channel.phone_number, channel.provider, secret.dup.freeze, now + TTL).freeze
      end
      private_class_method :build_entry
    end
  end
end

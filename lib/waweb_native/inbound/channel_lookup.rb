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
      DEFAULT_GATEWAY = "http://localhost:3000" # the provider's default api_base_url

      # device_id: the inbox's configured slot id or JID (nil when none); gateway: its api_base_url,
      # normalised, so inboxes on one gateway can be told apart; phone_forms: the number's digits
      # (both Brazilian forms), what a device's account JID is compared with.
      # device_user: the number in a configured device_id that is a JID.
      Entry = Struct.new(:id, :phone_number, :provider, :secret, :expires_at, :device_id, :gateway,
                         :phone_forms, :device_user) do
        def whatsapp_web?
          provider == Chatwoot::PROVIDER
        end

        # Whether an envelope's device (account JID, e.g. "6281...:12@s.whatsapp.net") or slot id
        # (session_id) names this inbox: its phone number, or its configured device_id.
        def device?(jid, session)
          return true if configured?(jid, session)
          return false if jid.nil?

          phone_forms.any? { |form| ChannelLookup.jid_of?(jid, form) } ||
            (!device_user.nil? && ChannelLookup.jid_of?(jid, device_user))
        end

        # The configured device_id is the slot id or the JID itself.
        def configured?(jid, session)
          !device_id.nil? && (device_id == session || device_id == jid) # rubocop:disable Style/MultipleComparison
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
        DeviceDirectory.clear!
      end

      # Whether the JID's user is `digits` ("6281...:12@s.whatsapp.net" is 6281...'s), without
      # allocating: this runs for every webhook.
      def jid_of?(jid, digits)
        return false unless jid.start_with?(digits)

        byte = jid.getbyte(digits.bytesize)
        byte == 64 || byte == 58 # rubocop:disable Style/MultipleComparison -- "@" or ":", no Array per webhook
      end

      # "6281100000001:12@s.whatsapp.net" -> "6281100000001"; nil for nil or a non-numeric user.
      def jid_user(jid)
        user = jid.to_s[/\A[^@:]*/]
        user.match?(/\A\d{5,20}\z/) ? user : nil
      end

      # The gateway's identity: scheme, host, port and base path, without trailing slash or case.
      def gateway_key(url)
        url = url.to_s.strip
        url = DEFAULT_GATEWAY if url.empty?
        url.chomp("/").downcase
      end

      def build_entry(channel, now)
        # A miss is cached too (as an Entry without id), so unknown phones cost one query per TTL.
        return Entry.new(nil, nil, nil, nil, now + TTL).freeze if channel.nil?

        config = channel.provider_config || {}
        device = config["device_id"].to_s.strip
        Entry.new(channel.id, channel.phone_number, channel.provider, config["webhook_verify_token"].to_s.dup.freeze,
                  now + TTL, device.empty? ? nil : device.freeze, gateway_key(config["api_base_url"]).freeze,
                  phone_forms(channel.phone_number), device.empty? ? nil : jid_user(device)&.freeze).freeze
      end

      # The number's digits in every form WhatsApp may use for it (Brazil's 9th digit).
      def phone_forms(phone_number)
        digits = phone_number.to_s.delete("^0-9")
        return [].freeze if digits.empty?

        WawebNative::JID.phone_variants(digits).map { |form| form.dup.freeze }.freeze
      end
    end
  end
end

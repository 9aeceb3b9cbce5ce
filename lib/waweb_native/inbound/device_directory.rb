# frozen_string_literal: true

module WawebNative
  module Inbound
    # Every whatsapp_web channel as a ChannelLookup::Entry, to find the inbox an envelope's
    # device names. Loaded with one query and kept for ChannelLookup::TTL seconds: it is read
    # only when an event is not the URL's inbox's own, or on the gateway-wide URL.
    module DeviceDirectory
      @lock = Mutex.new
      @entries = nil
      @expires_at = 0.0

      module_function

      # The inboxes whose phone number or configured device_id the device (account JID) or slot
      # id (session_id) names, optionally only those on `gateway` (a ChannelLookup.gateway_key).
      def find(jid, session, gateway: nil)
        return [] if jid.nil? && session.nil?

        entries.select { |entry| (gateway.nil? || entry.gateway == gateway) && entry.device?(jid, session) }
      end

      def entries
        now = Process.clock_gettime(Process::CLOCK_MONOTONIC)
        @lock.synchronize do
          if @entries.nil? || @expires_at <= now
            @entries = load_entries(now)
            @expires_at = now + ChannelLookup::TTL
          end
          @entries
        end
      end

      def clear!
        @lock.synchronize { @entries = nil }
      end

      def load_entries(now)
        ::Channel::Whatsapp.where(provider: Chatwoot::PROVIDER).to_a
                           .map { |channel| ChannelLookup.build_entry(channel, now) }.freeze
      end
      private_class_method :load_entries
    end
  end
end

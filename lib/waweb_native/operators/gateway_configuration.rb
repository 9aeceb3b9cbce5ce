# frozen_string_literal: true

require "securerandom"

module WawebNative
  module Operators
    # Points the gateway (GOWA v9+) at one inbox: makes sure the inbox's device slot exists
    # (POST /devices), sets the device's own webhook to this inbox's URL, secret and events
    # (PATCH /devices/:id/webhook) and reads it back (GET) to confirm. The slot id is the
    # inbox's configured device_id, the gateway's device already logged in as the inbox's
    # number, or "chatwoot_<digits>"; it is stored back in provider_config.
    # A device webhook that points somewhere else is replaced only with force: true.
    # A gateway older than v9 answers 404 on these routes: the result says so, with the flags.
    class GatewayConfiguration
      # The events the gem handles (the gateway's webhook_events allow-list).
      EVENTS = %w[message message.reaction message.revoked message.edited message.deleted message.ack
                  group.participants group.joined].freeze
      TOO_OLD = "This gateway has no per-device webhooks (they came with go-whatsapp-web-multidevice v9). " \
                "Upgrade it, or start it with the flags shown (waweb:webhook_url)."

      # state: :configured, :elsewhere (another webhook is set; nothing changed), :too_old, :mismatch.
      Result = Struct.new(:state, :device_id, :webhook_url, :message, :current_url, keyword_init: true) do
        def configured? = state == :configured

        def to_h
          { configured: configured?, state: state.to_s, device_id: device_id, webhook_url: webhook_url,
            current_url: current_url, message: message }.compact
        end
      end

      @automatic = !%w[0 false no off].include?(ENV.fetch("WAWEB_AUTO_CONFIGURE_GATEWAY", "1").strip.downcase)

      class << self
        # Whether a new whatsapp_web inbox configures its gateway by itself (a job, right after
        # creation). On unless WAWEB_AUTO_CONFIGURE_GATEWAY=0; off inside #without_automatic.
        def automatic?
          @automatic && !Thread.current[:waweb_configuring_inline]
        end

        attr_writer :automatic

        # For callers that configure inline right after creating the inbox (the setup page).
        def without_automatic
          previous = Thread.current[:waweb_configuring_inline]
          Thread.current[:waweb_configuring_inline] = true
          yield
        ensure
          Thread.current[:waweb_configuring_inline] = previous
        end
      end

      def initialize(connection)
        @connection = connection
      end

      # Raises WawebNative::Gateway::Error (unreachable, bad credentials...) with its sentence.
      def call(force: false)
        slot = ensure_device
        current = read_webhook(slot)
        if elsewhere?(current) && !force
          where = shown(current["webhook_url"])
          return result(:elsewhere, slot, "The gateway's device #{slot} already sends its webhooks to #{where}. " \
                                          "Replace it only if that is not in use (the page asks; in the console " \
                                          "pass force: true).", current_url: where)
        end

        ensure_secret
        client.patch_json("/devices/#{escape(slot)}/webhook", wanted)
        check(slot)
      rescue WawebNative::Gateway::RequestError => e
        raise unless too_old?(e)

        result(:too_old, nil, TOO_OLD)
      end

      # Read only: is the inbox's device webhook this inbox's? (for status, the page, the doctor)
      def check(slot = configured_slot)
        return result(:mismatch, nil, "gateway not configured by the gem yet (no device_id)") if slot.nil?

        differs = differences(read_webhook(slot))
        return result(:configured, slot, "gateway configured: device #{slot} sends to #{@connection.webhook_url}") \
          if differs.empty?

        result(:mismatch, slot, "not configured: the device's webhook #{differs.join(', ')}")
      rescue WawebNative::Gateway::RequestError => e
        raise unless too_old?(e)

        result(:too_old, slot, TOO_OLD)
      end

      private

      def client = @connection.provider.client
      def channel = @connection.channel
      def config = channel.provider_config || {}
      def escape(id) = URI.encode_www_form_component(id.to_s)
      def phone_digits = channel.phone_number.to_s.delete("^0-9")

      def configured_slot
        value = config["device_id"].to_s.strip
        value.empty? ? nil : value
      end

      def wanted
        { "webhook_url" => @connection.webhook_url, "webhook_secret" => @connection.webhook_secret,
          "webhook_events" => EVENTS.join(","), "webhook_insecure_skip_verify" => false }
      end

      # The slot id of the inbox's device, created when missing and stored in provider_config.
      # Raises the gateway's 404 when it is older than v9 (GET /devices is v8+, the webhook
      # routes v9+): before anything is created or stored, so a working v8 setup is left as it is.
      def ensure_device
        slot = find_slot(Array(client.get("/devices").results))
        if slot
          read_webhook(slot)
        else
          slot = configured_slot && !configured_slot.include?("@") ? configured_slot : "chatwoot_#{phone_digits}"
          probe_webhook_routes(slot)
          client.post_json("/devices", { "device_id" => slot })
        end
        store("device_id" => slot) unless configured_slot == slot
        slot
      end

      # v9 answers DEVICE_NOT_FOUND for a device it does not hold yet; older gateways lack the route.
      def probe_webhook_routes(slot)
        read_webhook(slot)
      rescue WawebNative::Gateway::RequestError => e
        raise unless e.code == "DEVICE_NOT_FOUND"
      end

      def find_slot(devices)
        wanted = configured_slot
        by_config = devices.find { |d| wanted && [d["id"], d["jid"]].include?(wanted) }
        by_phone = devices.find { |d| WawebNative::Inbound::ChannelLookup.jid_user(d["jid"].to_s) == phone_digits }
        (by_config || by_phone)&.fetch("id", nil)
      end

      def read_webhook(slot)
        results = client.get("/devices/#{escape(slot)}/webhook").results
        results.is_a?(Hash) ? results : {}
      end

      def elsewhere?(current)
        url = current["webhook_url"].to_s
        !url.empty? && url != @connection.webhook_url
      end

      def differences(current)
        url = current["webhook_url"].to_s
        list = []
        list << "points at #{url.empty? ? 'nothing' : shown(url)}" if url != @connection.webhook_url
        list << "is signed with another secret" if current["webhook_secret"].to_s != @connection.webhook_secret
        missing = missing_events(current["webhook_events"])
        list << "leaves out #{missing.join(', ')}" unless missing.empty?
        list
      end

      # Events the gem handles that the device's allow-list leaves out (an empty list allows all).
      def missing_events(list)
        events = list.to_s.split(",").map(&:strip).reject(&:empty?)
        events.empty? ? [] : EVENTS - events
      end

      # A blank or default secret would let anyone forge webhooks: the gem sets a random one first.
      def ensure_secret
        store("webhook_verify_token" => SecureRandom.hex(16)) if @connection.webhook_secret_problem
      end

      # update_columns: saving would validate the config against the gateway again, for nothing.
      def store(values)
        channel.update_columns(provider_config: config.merge(values))
        WawebNative::Inbound::ChannelLookup.clear!
      end

      # Another service's URL, without any user:password it may carry (it reaches logs and pages).
      def shown(url) = WawebNative::Outbound::Failure.display_url(url.to_s)

      # 404 from a route the gateway does not have (v7, v8), not a missing device.
      def too_old?(error)
        error.status == 404 && error.code != "DEVICE_NOT_FOUND"
      end

      def result(state, slot, message, current_url: nil)
        Result.new(state: state, device_id: slot, webhook_url: @connection.webhook_url, message: message,
                   current_url: current_url)
      end
    end
  end
end

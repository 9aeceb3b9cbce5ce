# frozen_string_literal: true

module WawebNative
  module Inbound
    # Decides whose event a webhook body is, and which secret must verify it. Since v8 one
    # gateway holds several numbers, and a device without a webhook of its own sends its
    # events to every global URL: the envelope's device_id (account JID) and session_id
    # (slot id, v8.8+) name the number, not the URL.
    #
    # URL of an inbox (`url_entry`), signed with its secret (the fast path):
    #   - no device in the body (v7), or the inbox's own number / device_id: that inbox;
    #   - another whatsapp_web inbox on the same gateway: that inbox, if its own secret
    #     verifies the body too; otherwise dropped (a body signed for A may not speak for B);
    #   - a device no inbox has: dropped.
    # Gateway-wide URL (url_entry nil), or a body the URL's inbox's secret does not verify:
    # the body is read (one C pass, size capped, never queued or logged) only to learn its
    # device; the inbox it names must verify the signature, else 401. On the gateway-wide URL
    # a body naming no known device is dropped.
    class EventRouter
      # outcome: :queue (entry, event), :ignore (event), :drop (detail: why, naming the device),
      # :unsigned (detail: "missing" or "invalid"), :malformed (detail).
      Decision = Struct.new(:outcome, :entry, :event, :detail)
      IGNORED_KINDS = %i[presence call newsletter unknown history_sync].freeze

      # The body as queued: the raw bytes, as UTF-8 (set once classified).
      attr_reader :body

      def initialize(url_entry, raw, signature)
        @url_entry = url_entry
        @raw = raw
        @signature = signature
      end

      def decide
        return Decision.new(:unsigned, nil, nil, "missing") if @signature.nil?
        return from_url_inbox if @url_entry && signed_by?(@url_entry)

        from_named_device
      end

      private

      def from_url_inbox
        event = classify
        return event if event.is_a?(Decision)
        return Decision.new(:ignore, @url_entry, event) if IGNORED_KINDS.include?(event.kind)
        return Decision.new(:queue, @url_entry, event) if own?(@url_entry, event)

        other = named(event).find { |entry| entry.id != @url_entry.id }
        return Decision.new(:queue, other, event) if other && signed_by?(other)

        Decision.new(:drop, nil, event, drop_reason(event, other))
      end

      def from_named_device
        event = classify
        return Decision.new(:unsigned, nil, nil, "invalid") if event.is_a?(Decision)

        candidates = named(event)
        owner = candidates.find { |entry| signed_by?(entry) }
        return Decision.new(ignored?(event) ? :ignore : :queue, owner, event) if owner
        return Decision.new(:unsigned, nil, event, "invalid") unless @url_entry.nil? && candidates.empty?

        unknown_device(event)
      end

      # Gateway-wide URL, a device no inbox has. Presence and the like: frequent, nothing to file.
      def unknown_device(event)
        return Decision.new(:ignore, nil, event) if ignored?(event)

        Decision.new(:drop, nil, event, drop_reason(event, nil))
      end

      def ignored?(event) = IGNORED_KINDS.include?(event.kind)

      # The event's own inbox: the URL's when the body names no device (v7) or names it.
      def own?(entry, event)
        (event.device_id.nil? && event.session_id.nil?) || entry.device?(event.device_id, event.session_id)
      end

      # Inboxes the body's device names: on the URL inbox's gateway, or anywhere for the gateway-wide URL.
      def named(event)
        DeviceDirectory.find(event.device_id, event.session_id, gateway: @url_entry&.gateway)
      end

      def signed_by?(entry)
        !entry.secret.empty? && WawebNative::Signature.verify?(entry.secret, @raw, @signature)
      end

      def classify
        @body = @raw.dup.force_encoding(Encoding::UTF_8)
        return Decision.new(:malformed, nil, nil, "body is not valid UTF-8") unless @body.valid_encoding?

        WawebNative::Payload.classify(@body)
      rescue WawebNative::ParseError => e
        # The parser's message names what it expected and the byte offset, never the body's bytes.
        Decision.new(:malformed, nil, nil, "unreadable JSON: #{e.message[0, 200]}")
      end

      def drop_reason(event, other)
        device = "device #{event.device_id.to_s[0, 80].dump}"
        device += " (session #{event.session_id.to_s[0, 40].dump})" if event.session_id
        if other
          "#{device} is inbox channel #{other.id}'s, but the body is not signed with that inbox's secret"
        elsif @url_entry
          "#{device} is no WhatsApp Web inbox on this gateway"
        else
          "#{event.device_id || event.session_id ? device : 'the body names no device'}: no WhatsApp Web inbox has it"
        end
      end
    end
  end
end

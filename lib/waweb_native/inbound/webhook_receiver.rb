# frozen_string_literal: true

module WawebNative
  module Inbound
    # One webhook request from the gateway, checked and queued. Used by
    # Webhooks::WhatsappWebController and by the whatsapp_web branch of Chatwoot's
    # Webhooks::WhatsappController. #call answers the HTTP status:
    #   413 body over Payload.max_bytes (Content-Length is checked before reading)
    #   404 no whatsapp_web channel with that phone number
    #   401 X-Hub-Signature-256 missing or wrong (logged with IP and channel; nothing parsed)
    #   400 not JSON the classifier accepts
    #   200 an event the product ignores (not queued), or queued on `low`
    #   503 queueing failed (Redis down): the gateway retries, nothing is lost
    # Rails' params are never touched: the raw body is what is signed, classified and queued.
    class WebhookReceiver
      SIGNATURE_HEADER = "HTTP_X_HUB_SIGNATURE_256"
      IGNORED_KINDS = %i[presence call newsletter unknown history_sync].freeze

      def initialize(request)
        @request = request
      end

      def whatsapp_web_channel?
        channel.whatsapp_web?
      end

      def call
        return reject(413, "body of #{@request.content_length} bytes declared") if declared_too_large?
        return reject_unknown_phone unless whatsapp_web_channel?

        raw = @request.raw_post.to_s
        return reject(413, "body of #{raw.bytesize} bytes") if raw.bytesize > WawebNative::Payload.max_bytes
        return reject_signature unless signed?(raw)

        raw = raw.dup.force_encoding(Encoding::UTF_8)
        return reject(400, "body is not valid UTF-8") unless raw.valid_encoding?

        route(raw)
      end

      private

      def route(raw)
        event = WawebNative::Payload.classify(raw)
        return ignore(event) if IGNORED_KINDS.include?(event.kind)

        enqueue(raw)
      rescue WawebNative::ParseError => e
        # The parser's message names what it expected and the byte offset, never the body's bytes.
        reject(400, "unreadable JSON: #{e.message[0, 200]}")
      end

      def ignore(event)
        logger&.info("[waweb_native] webhook ignored: #{event.kind} event for channel #{channel.id}")
        200
      end

      def reject(status, reason)
        logger&.warn("[waweb_native] webhook rejected (#{status}): #{reason} for WhatsApp Web channel " \
                     "#{channel.phone_number || '?'} (id #{channel.id || '?'})")
        status
      end

      # The phone comes from the URL: quoted and cut so it cannot forge or flood log lines.
      def reject_unknown_phone
        phone = @request.path_parameters[:phone_number].to_s[0, 40].dump
        logger&.warn("[waweb_native] webhook rejected (404): no WhatsApp Web channel for phone #{phone}")
        404
      end

      def channel
        @channel ||= ChannelLookup.find(@request.path_parameters[:phone_number].to_s)
      end

      def declared_too_large?
        @request.content_length.to_i > WawebNative::Payload.max_bytes
      end

      def signed?(raw)
        header = @request.get_header(SIGNATURE_HEADER)
        !header.nil? && !channel.secret.empty? && WawebNative::Signature.verify?(channel.secret, raw, header)
      end

      def reject_signature
        reason = @request.get_header(SIGNATURE_HEADER).nil? ? "missing" : "invalid"
        logger&.warn("[waweb_native] webhook rejected: #{reason} X-Hub-Signature-256 from #{@request.remote_ip} " \
                     "for WhatsApp Web channel #{channel.phone_number} (id #{channel.id})")
        401
      end

      def enqueue(raw)
        job = ::Webhooks::WhatsappWebEventsJob.perform_later(channel.id, raw)
        return 200 if job

        logger&.error("[waweb_native] could not queue a webhook for channel #{channel.id}; answered 503")
        503
      rescue StandardError => e
        logger&.error("[waweb_native] could not queue a webhook for channel #{channel.id} (#{e.class}); answered 503")
        503
      end

      def logger
        defined?(::Rails) ? ::Rails.logger : nil
      end
    end
  end
end

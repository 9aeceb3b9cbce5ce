# frozen_string_literal: true

module WawebNative
  module Inbound
    # One webhook request from the gateway, checked and queued. Used by
    # Webhooks::WhatsappWebController (POST /webhooks/whatsapp_web/:phone_number and the
    # gateway-wide POST /webhooks/whatsapp_web) and by the whatsapp_web branch of Chatwoot's
    # Webhooks::WhatsappController. #call answers the HTTP status:
    #   413 body over Payload.max_bytes (Content-Length is checked before reading)
    #   404 no whatsapp_web channel with that phone number
    #   401 X-Hub-Signature-256 missing or wrong (logged with IP and channel; nothing queued)
    #   400 not JSON the classifier accepts
    #   200 an event the product ignores (not queued), an event of a device no inbox here
    #       owns (dropped with a warning: a retry cannot help), or queued (EventsQueue)
    #   503 queueing failed (Redis down): the gateway retries, nothing is lost
    # Which inbox an event belongs to, and whose secret verifies it: EventRouter.
    # Rails' params are never touched: the raw body is what is signed, classified and queued.
    class WebhookReceiver
      SIGNATURE_HEADER = "HTTP_X_HUB_SIGNATURE_256"
      IGNORED_KINDS = EventRouter::IGNORED_KINDS

      def initialize(request)
        @request = request
      end

      def whatsapp_web_channel?
        channel.whatsapp_web?
      end

      def call
        return reject(413, "body of #{@request.content_length} bytes declared") if declared_too_large?
        return reject_unknown_phone if phone_route? && !whatsapp_web_channel?

        raw = @request.raw_post.to_s
        return reject(413, "body of #{raw.bytesize} bytes") if raw.bytesize > WawebNative::Payload.max_bytes

        router = EventRouter.new(phone_route? ? channel : nil, raw, @request.get_header(SIGNATURE_HEADER))
        answer(router.decide, router)
      end

      private

      def answer(decision, router)
        case decision.outcome
        when :queue then enqueue(decision.entry, router.body)
        when :ignore then ignore(decision)
        when :drop then drop(decision)
        when :unsigned then reject_signature(decision.detail)
        else reject(400, decision.detail)
        end
      end

      def phone_route?
        !@request.path_parameters[:phone_number].nil?
      end

      def ignore(decision)
        logger&.info("[waweb_native] webhook ignored: #{decision.event.kind} event for channel " \
                     "#{decision.entry&.id || '(none)'}")
        200
      end

      def drop(decision)
        logger&.warn("[waweb_native] webhook dropped (200, not filed anywhere): #{decision.detail}; " \
                     "received #{where}")
        200
      end

      def reject(status, reason)
        logger&.warn("[waweb_native] webhook rejected (#{status}): #{reason} #{where}")
        status
      end

      def where
        return "on the gateway-wide URL" unless phone_route?

        "for WhatsApp Web channel #{channel.phone_number || '?'} (id #{channel.id || '?'})"
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

      def reject_signature(reason)
        logger&.warn("[waweb_native] webhook rejected: #{reason} X-Hub-Signature-256 from #{@request.remote_ip} " \
                     "#{where}")
        401
      end

      def enqueue(entry, raw)
        job = ::Webhooks::WhatsappWebEventsJob.perform_later(entry.id, raw)
        return 200 if job

        logger&.error("[waweb_native] could not queue a webhook for channel #{entry.id}; answered 503")
        503
      rescue StandardError => e
        logger&.error("[waweb_native] could not queue a webhook for channel #{entry.id} (#{e.class}); answered 503")
        503
      end

      def logger = WawebNative.logger
    end
  end
end

# frozen_string_literal: true

module WawebNative
  module Inbound
    # What a new message carries for each kind of event: content, content_attributes
    # and attachments (as attribute hashes for message.attachments.new). Media has been
    # fetched beforehand (MediaFetcher) so no network call happens inside a transaction.
    module MessageContent
      MEDIA_KINDS = %i[image video audio document sticker].freeze
      FILE_TYPES = { image: :image, sticker: :image, video: :video, audio: :audio, document: :file }.freeze
      UNSUPPORTED_TEXT = "This kind of WhatsApp message is not supported here yet. " \
                         "Open WhatsApp on the phone to see it."
      UNAVAILABLE_NOTE = "Media unavailable: the file could not be downloaded from the WhatsApp gateway."
      NOT_DOWNLOADED_NOTE = "Media not downloaded: the gateway has automatic media download turned off " \
                            "(WHATSAPP_AUTO_DOWNLOAD_MEDIA)."

      Built = Struct.new(:content, :content_attributes, :attachments, :content_type, keyword_init: true)

      module_function

      def build(event, media, account_id)
        base = base_attributes(event)
        case event.kind
        when *MEDIA_KINDS then media_message(event, media, base, account_id)
        when :contact then contact_message(event, base, account_id)
        when :location then location_message(event, base, account_id)
        when :unsupported then unsupported_message(base)
        else Built.new(content: event.text, content_attributes: base, attachments: [])
        end
      end

      def unsupported_message(base)
        Built.new(content: UNSUPPORTED_TEXT, content_attributes: base.merge("is_unsupported" => true), attachments: [])
      end

      def base_attributes(event)
        attributes = {}
        attributes["in_reply_to_external_id"] = event.reply_to_id if event.reply_to_id.present?
        attributes["external_created_at"] = event.timestamp if event.timestamp
        attributes
      end

      def caption(event)
        event.caption.presence || event.text.presence
      end

      def media_message(event, media, base, account_id)
        content_type = event.kind == :sticker ? sticker_content_type : nil
        if media.is_a?(MediaFetcher::Media)
          attachment = { account_id: account_id, file_type: FILE_TYPES.fetch(event.kind), file: media.attachable }
          return Built.new(content: caption(event), content_attributes: base, attachments: [attachment],
                           content_type: content_type)
        end

        missing_media(event, media, base)
      end

      def missing_media(event, media, base)
        if media.is_a?(MediaFetcher::Failure)
          note = UNAVAILABLE_NOTE
          base = base.merge("media_path" => media.path, "media_unavailable" => true)
        else # only an encrypted CDN url: the gateway did not download it
          note = NOT_DOWNLOADED_NOTE
          base = base.merge("media_url" => event.media_url, "media_unavailable" => true)
          base["media_filename"] = event.filename if event.filename.present?
        end
        Built.new(content: [caption(event), note].compact.join("\n\n"), content_attributes: base, attachments: [])
      end

      def contact_message(event, base, account_id)
        title = event.contact_phone.presence || event.contact_name.presence || "Contact"
        attachment = { account_id: account_id, file_type: :contact, fallback_title: title }
        if event.vcard.present?
          attachment[:file] = { io: StringIO.new(event.vcard), filename: "#{vcard_name(event)}.vcf",
                                content_type: "text/vcard" }
        end
        attributes = base.merge("contact_name" => event.contact_name, "contact_phone" => event.contact_phone,
                                "vcard" => event.vcard).compact
        Built.new(content: event.contact_name.presence || title, content_attributes: attributes,
                  attachments: [attachment])
      end

      def vcard_name(event)
        name = event.contact_name.to_s.gsub(/[^[:alnum:] _-]/, "").strip
        name.empty? ? "contact" : name
      end

      def location_message(event, base, account_id)
        title = event.location_name.presence || format("%<lat>.6f, %<long>.6f", lat: event.latitude.to_f,
                                                                                long: event.longitude.to_f)
        attachment = { account_id: account_id, file_type: :location, coordinates_lat: event.latitude,
                       coordinates_long: event.longitude, fallback_title: title }
        # No content: the stock dashboard draws its map card only for a location message without text.
        Built.new(content: nil, content_attributes: base, attachments: [attachment])
      end

      def sticker_content_type
        ::Message.respond_to?(:content_types) && ::Message.content_types.key?("sticker") ? :sticker : nil
      end
    end
  end
end

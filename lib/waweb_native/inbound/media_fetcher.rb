# frozen_string_literal: true

require "tempfile"
require "uri"

module WawebNative
  module Inbound
    # Streams a message's media from the gateway (GET /statics/media/<file>) into a
    # tempfile, never into memory, capped at MAX_BYTES. Since gateway v8.2 no MIME type
    # or filename is sent, so both are derived from the file's extension.
    class MediaFetcher
      MAX_BYTES = 100 * 1024 * 1024
      SAFE_PATH = %r{\Astatics/[A-Za-z0-9._/-]+\z}

      CONTENT_TYPES = {
        "jpg" => "image/jpeg", "jpeg" => "image/jpeg", "jpe" => "image/jpeg", "png" => "image/png",
        "gif" => "image/gif", "webp" => "image/webp", "mp4" => "video/mp4", "3gp" => "video/3gpp",
        "mkv" => "video/x-matroska", "avi" => "video/x-msvideo", "mov" => "video/quicktime",
        "ogg" => "audio/ogg", "oga" => "audio/ogg", "opus" => "audio/ogg", "m4a" => "audio/mp4",
        "mp3" => "audio/mpeg", "aac" => "audio/aac", "amr" => "audio/amr", "wav" => "audio/wav",
        "pdf" => "application/pdf", "txt" => "text/plain", "csv" => "text/csv", "zip" => "application/zip"
      }.freeze
      # WhatsApp's own odd extensions, renamed so the file opens anywhere.
      EXTENSION_ALIASES = { "jpe" => "jpg", "oga" => "ogg", "opus" => "ogg" }.freeze

      Media = Struct.new(:tempfile, :filename, :content_type) do
        def attachable
          { io: tempfile, filename: filename, content_type: content_type }
        end

        def close
          tempfile.close!
        end
      end

      Failure = Struct.new(:path, :reason) do
        def close; end
      end

      def initialize(channel)
        @channel = channel
      end

      # A Media (call #close when done) or a Failure; logs the path of a failure.
      def fetch(event)
        path = event.media_path.to_s
        return fail_with(path, "unexpected media path", event) unless SAFE_PATH.match?(path) && !path.include?("..")

        download(path, event)
      end

      # GET /message/:id/download?phone=<chat> has the gateway fetch the file from WhatsApp;
      # then it is read from /statics/ as usual. nil when the gateway cannot (the message
      # keeps today's "not downloaded" note), a Failure when the file then cannot be read.
      def fetch_on_demand(event, chat)
        id = URI.encode_www_form_component(event.message_id.to_s)
        body = GatewayAccess.client_for(@channel).get("/message/#{id}/download", { phone: chat.to_s }).json
        path = (body.is_a?(Hash) && body["results"].is_a?(Hash) ? body["results"]["file_path"] : nil).to_s
        path = path.delete_prefix("/")
        return download(path, event) if SAFE_PATH.match?(path) && !path.include?("..")

        fail_with(path, "unexpected file_path from the on-demand download", event)
        nil
      rescue StandardError => e
        fail_with(event.media_url.to_s[0, 80], "on-demand download: #{e.class.name}", event)
        nil
      end

      def self.extension(name)
        File.extname(name.to_s).delete_prefix(".").downcase
      end

      def self.content_type_for(name, declared = nil)
        declared = declared.to_s.split(";").first.to_s.strip
        return declared unless declared.empty? || declared == "application/octet-stream"

        CONTENT_TYPES[extension(name)] || "application/octet-stream"
      end

      # A filename an agent can open: the sender's own for documents, else kind + id + extension
      # (of the stored file's path: the webhook's, or the on-demand download's).
      def self.filename_for(event, path = event.media_path)
        given = File.basename(event.filename.to_s).gsub(%r{[\x00-\x1f/\\]}, "").strip
        return given unless given.empty? || given.start_with?(".")

        ext = extension(path)
        ext = EXTENSION_ALIASES.fetch(ext, ext)
        base = "#{event.kind}-#{event.message_id.to_s.gsub(/[^A-Za-z0-9_-]/, '')}"
        ext.empty? ? base : "#{base}.#{ext}"
      end

      private

      def download(path, event)
        file = Tempfile.new(["waweb_media", ".#{self.class.extension(path)}"], binmode: true)
        GatewayAccess.client_for(@channel).download("/#{path}", file, max_bytes: MAX_BYTES)
        file.flush
        file.rewind
        Media.new(file, self.class.filename_for(event, path), self.class.content_type_for(path, event.mime_type))
      rescue StandardError => e
        file&.close!
        fail_with(path, e.class.name, event)
      end

      def fail_with(path, reason, event)
        ::Rails.logger.error("[waweb_native] media download failed for message #{event.message_id} " \
                             "(inbox #{@channel.inbox&.id}): #{path} (#{reason})")
        Failure.new(path, reason)
      end
    end
  end
end

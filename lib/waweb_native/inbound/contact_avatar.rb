# frozen_string_literal: true

require "digest"
require "tempfile"
require "uri"
require "waweb_native/outbound/shared_state"

module WawebNative
  module Inbound
    # A contact's WhatsApp profile picture as its Chatwoot avatar (GET /user/avatar), for
    # the contacts a new message shows: the chat's contact (a group's too) and the sender.
    # Off the webhook's path in WhatsappWeb::ContactAvatarJob, at most once a day per
    # contact (the time is kept in additional_attributes, as Chatwoot's own
    # Avatar::AvatarFromUrlJob does). No picture, a private one or any failure changes
    # nothing. The picture (a WhatsApp CDN URL) is fetched with our own client: Chatwoot's
    # job refuses some addresses, and this keeps the bytes streamed and capped.
    class ContactAvatar
      REFRESH_AFTER = 24 * 3600
      QUEUED_FOR = 3600
      MAX_BYTES = 5 * 1024 * 1024
      CHECKED_AT = "waweb_avatar_checked_at"
      DIGEST = "waweb_avatar_sha256"
      FILENAME_PREFIX = "whatsapp-avatar"
      TYPES = { "\xFF\xD8\xFF".b => ["image/jpeg", "jpg"], "\x89PNG".b => ["image/png", "png"] }.freeze

      # After a message was stored (in the webhook job; nil: none was). Never raises.
      def self.refresh_later(inbox, message)
        return if message.nil?

        contacts = [message.conversation&.contact, message.sender].grep(::Contact).uniq
        contacts.each do |contact|
          ::WhatsappWeb::ContactAvatarJob.perform_later(contact.id, inbox.id) if queue?(contact)
        end
      rescue StandardError => e
        ::Rails.logger.error("[waweb_native] avatar refresh not queued for message #{message&.id} " \
                             "(#{e.class}): #{e.message}")
      end

      # A burst of messages from one contact queues one job, not one per message: the job
      # sits on `purgable` behind those messages, so the day's check is not recorded yet. The
      # job frees the key when it starts; the TTL covers a job that never runs.
      def self.queued_key(contact) = "waweb:avatar_queued:#{contact.id}"

      def self.queue?(contact)
        due?(contact) && WawebNative::Outbound::SharedState.claim(queued_key(contact), QUEUED_FOR)
      end

      def self.due?(contact, now: Time.now)
        checked = (contact.additional_attributes || {})[CHECKED_AT]
        checked.nil? || Time.iso8601(checked.to_s) < now - REFRESH_AFTER
      rescue ArgumentError
        true
      end

      def initialize(contact, inbox)
        @contact = contact
        @inbox = inbox
      end

      # :attached, :unchanged, or why nothing was done (:not_due, :no_chat, :no_picture, :agent_picture, :failed).
      def refresh!
        WawebNative::Outbound::SharedState.release(self.class.queued_key(@contact))
        return :not_due unless self.class.due?(@contact)

        remember(CHECKED_AT => Time.now.utc.iso8601)
        chat = chat_jid
        return :no_chat if chat.nil?

        url = picture_url(chat)
        return :no_picture if url.nil?
        return :agent_picture if agent_picture?

        download(url) { |file, digest| attach(file, digest) }
      rescue StandardError => e
        log(:warn, "failed (#{e.class.name}): #{explain(e)}")
        :failed
      end

      private

      # The contact's WhatsApp id in this inbox: its phone (or group) row before a LID alias.
      def chat_jid
        sources = ::ContactInbox.where(contact_id: @contact.id, inbox_id: @inbox.id).order(:id).pluck(:source_id)
        source = sources.find { |s| !s.end_with?("@lid") } || sources.first
        source && WawebNative::JID.sanitize(source)
      rescue WawebNative::InvalidJID
        nil
      end

      # nil when WhatsApp has no picture, or hides it from us (the gateway answers an error).
      def picture_url(chat)
        url = @inbox.channel.provider_service.avatar_url(chat)
        log(:info, "none: no picture") if url.nil?
        url
      rescue WawebNative::Gateway::ServerError => e
        log(:info, "none: #{WawebNative::Outbound::Failure.gateway_message(e)}")
        nil
      end

      # An avatar someone set in Chatwoot is theirs to change, not ours.
      def agent_picture?
        return false unless @contact.avatar.attached?

        !@contact.avatar.filename.to_s.start_with?(FILENAME_PREFIX)
      end

      def download(url)
        uri = URI.parse(url)
        raise ArgumentError, "not an http(s) picture URL" unless %w[http https].include?(uri.scheme) && uri.host

        Tempfile.create(["waweb_avatar", ".img"], binmode: true) do |file|
          picture_client(uri).download(uri.request_uri, file, max_bytes: MAX_BYTES)
          file.flush
          yield(file, Digest::SHA256.file(file.path).hexdigest)
        end
      end

      # A client of the picture's own origin, without the gateway's credentials.
      def picture_client(uri)
        origin = "#{uri.scheme}://#{uri.host}#{":#{uri.port}" unless uri.port == uri.default_port}"
        WawebNative::Gateway::Client.new(base_url: origin, username: "", password: "", open_timeout: 5, timeout: 20,
                                         max_response_bytes: MAX_BYTES)
      end

      def attach(file, digest)
        attrs = @contact.additional_attributes || {}
        return :unchanged if attrs[DIGEST] == digest && @contact.avatar.attached?

        type, ext = picture_type(file)
        attached = @contact.avatar.attach(io: file, filename: "#{FILENAME_PREFIX}.#{ext}", content_type: type)
        raise ArgumentError, "the contact refused it: #{@contact.errors.full_messages.join(', ')}" unless attached

        remember(DIGEST => digest)
        log(:info, "attached (#{File.size(file.path)} bytes)")
        :attached
      end

      # [content type, extension] from the file's first bytes; the file is left rewound.
      def picture_type(file)
        file.rewind
        head = file.read(8).to_s
        file.rewind
        TYPES.find { |magic, _| head.start_with?(magic) }&.last ||
          raise(ArgumentError, "the picture is neither JPEG nor PNG")
      end

      # Like Chatwoot's avatar job: a column write, no callbacks or validations.
      def remember(values)
        attrs = (@contact.additional_attributes || {}).merge(values)
        @contact.update_columns(additional_attributes: attrs)
      end

      def explain(error)
        return error.message unless error.is_a?(WawebNative::Gateway::Error)

        WawebNative::Outbound::Failure.sentence(error, @inbox.channel.provider_service.api_base_url)
      end

      def log(level, text)
        ::Rails.logger.public_send(level,
                                   "[waweb_native] avatar of contact #{@contact.id} (inbox #{@inbox.id}): #{text}")
      end
    end
  end
end

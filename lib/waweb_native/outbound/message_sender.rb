# frozen_string_literal: true

require "waweb_native/outbound/media"
require "waweb_native/outbound/failure"
require "waweb_native/outbound/sent_ids"
require "waweb_native/outbound/delivered_parts"
require "waweb_native/outbound/shared_lock"

module WawebNative
  module Outbound
    # Sends one Chatwoot Message through the gateway: the text (or the numbered options of
    # an input_select), then each attachment one by one, uploaded as multipart straight
    # from the stored file. Every size is checked before anything is sent, so an oversize
    # second attachment never leaves the first one delivered alone.
    #
    # Each part the gateway confirms is recorded at once (DeliveredParts), and a part
    # recorded is never sent again: Chatwoot's retry of a reply that failed halfway sends
    # only the rest, so the customer ends with the messages one clean send would have given
    # (the caption and the quote went with the first part, they are not repeated).
    #
    # Returns the gateway's message id of the FIRST message (the one that carries the
    # agent's text, as text or as the first attachment's caption; SentIds keeps every id),
    # or nil after marking the Chatwoot message failed with a sentence the agent can act
    # on. Never raises for a gateway failure: a timed-out or 5xx send may already have
    # reached WhatsApp, and a Sidekiq retry would then deliver it twice.
    class MessageSender
      # A failure we detect ourselves before or after talking to the gateway.
      class Refused < StandardError; end

      # ActiveStorage uploads a file after the commit that makes its row visible, and
      # Chatwoot sends a message with attachments 2 s after that commit, a guess: a slower
      # upload (a big video, a busy storage) is waited for this long before the message fails.
      class << self
        attr_accessor :storage_wait
      end
      self.storage_wait = 15

      # Seconds a send of one message holds its lock (the longest upload waited for): a
      # second job for the same reply (Retry clicked twice) waits, then finds every part
      # recorded and sends none again.
      SEND_LOCK_TTL = 600

      # key: the part's name in DeliveredParts ("text", "attachment:<id>").
      Part = Struct.new(:key, :kind, :text, :plan, :attachment, :caption, :reply_id, :lat, :long,
                        keyword_init: true)

      # client: the Gateway::Client, or a callable returning it (built lazily, so a broken
      # config fails the message instead of raising out of the job).
      def initialize(client:, message:, base_url:, logger: nil)
        @client_source = client
        @message = message
        @base_url = base_url
        @logger = logger
      end

      def call(to)
        return deleted if [true, "true"].include?(attr("deleted"))

        phone = WawebNative::JID.sanitize(to)
        @plan = parts
        one_send_at_a_time { send_missing(phone) }
        finished
      rescue WawebNative::InvalidJID, Refused => e
        failed(e.message, e)
      rescue WawebNative::Gateway::Error => e
        failed(Failure.sentence(e, @base_url), e)
      end

      private

      attr_reader :message

      def client
        @client ||= @client_source.respond_to?(:call) ? @client_source.call : @client_source
      end

      # Deleted by the agent before its (re)send ran, e.g. between Retry and the job: its
      # text is now Chatwoot's "This message was deleted", which the customer must not get.
      def deleted
        @logger&.info("[waweb_native] message #{message.id} deleted before it was sent: nothing sent")
        nil
      end

      def one_send_at_a_time(&)
        return yield if message.id.nil?

        SharedLock.exclusively("waweb:send:#{message.id}", SEND_LOCK_TTL, &)
      end

      # The parts not yet delivered, read once the lock is ours.
      def send_missing(phone)
        @delivered = DeliveredParts.new(message)
        @done = @delivered.of(@plan.map(&:key))
        stored(@plan.reject { |part| @done.key?(part.key) }).each { |part| deliver_and_record(phone, part) }
      end

      def deliver_and_record(phone, part)
        id = deliver(phone, part)
        @delivered.record(part.key, id)
        @done[part.key] = id
      end

      def finished
        ids = @plan.map { |part| @done.fetch(part.key) }
        SentIds.record(message, ids)
        ids.first
      end

      # The caption rides on the first attachment when that kind carries one (image, video,
      # file); otherwise the text goes first as its own message. The quote goes on the first.
      def parts
        text = outgoing_text
        media = DeliveredParts.attachments(message).map { |a| attachment_part(a) }
        raise Refused, "The message has no text or attachment to send." if media.empty? && text.empty?

        list = with_text(text, media)
        list.first.reply_id = reply_id
        list
      end

      def with_text(text, media)
        return media if text.empty?

        first = media.first
        return [Part.new(key: DeliveredParts::TEXT, kind: :text, text: text)] + media unless first&.plan&.caption

        first.caption = text
        media
      end

      def attachment_part(attachment)
        key = DeliveredParts.attachment_key(attachment)
        if attachment.respond_to?(:file_type) && attachment.file_type.to_s == "location"
          return Part.new(key: key, kind: :location, lat: attachment.coordinates_lat, long: attachment.coordinates_long)
        end

        blob = attachment.file.blob if attachment.file.attached?
        raise Refused, "An attachment has no file to send." unless blob

        plan = Media.plan(content_type: blob.content_type, byte_size: blob.byte_size, recorded: recorded?(attachment))
        raise Refused, plan.size_error(blob.filename.to_s) if plan.too_big?(blob.byte_size)

        Part.new(key: key, kind: :media, plan: plan, attachment: attachment)
      end

      # The parts still to send, once every file among them is in storage (before anything
      # is sent). A delivered file need not be there any more.
      def stored(pending)
        pending.each do |part|
          next unless part.kind == :media

          blob = part.attachment.file.blob
          raise Refused, "#{blob.filename} could not be read from storage." unless stored?(blob)
        end
      end

      def stored?(blob)
        deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + self.class.storage_wait.to_f
        until blob.service.exist?(blob.key)
          return false if Process.clock_gettime(Process::CLOCK_MONOTONIC) >= deadline

          sleep 0.1
        end
        true
      end

      def recorded?(attachment)
        meta = attachment.respond_to?(:meta) ? attachment.meta : nil
        return false unless meta.respond_to?(:[])

        [true, "true", "1", 1].include?(meta["is_recorded_audio"] || meta[:is_recorded_audio])
      end

      def outgoing_text
        text = message.content.to_s
        return text unless message.respond_to?(:content_type) && message.content_type.to_s == "input_select"

        options = Array(attr("items")).each_with_index.map { |item, i| "#{i + 1}. #{option_title(item)}" }
        [text, options.join("\n")].reject(&:empty?).join("\n\n")
      end

      def option_title(item)
        return item.to_s unless item.is_a?(Hash)

        item["title"] || item[:title] || item["value"] || item[:value]
      end

      def reply_id
        value = attr("in_reply_to_external_id").to_s
        value.empty? ? nil : value
      end

      def attr(key)
        attrs = message.content_attributes || {}
        attrs[key] || attrs[key.to_sym]
      end

      def deliver(phone, part)
        response = case part.kind
                   when :text then client.post_json("/send/message", text_body(phone, part))
                   when :location then client.post_json("/send/location", location_body(phone, part))
                   else upload(phone, part)
                   end
        message_id(response)
      end

      def text_body(phone, part)
        body = { "phone" => phone, "message" => part.text }
        body["reply_message_id"] = part.reply_id if part.reply_id
        body
      end

      def location_body(phone, part)
        { "phone" => phone, "latitude" => part.lat.to_s, "longitude" => part.long.to_s }
      end

      def upload(phone, part)
        plan = part.plan
        blob = part.attachment.file.blob
        fields = { "phone" => phone }
        fields["caption"] = part.caption if part.caption && plan.caption
        fields["reply_message_id"] = part.reply_id if part.reply_id
        fields["ptt"] = "true" if plan.ptt
        with_local_path(blob) do |path|
          file = { name: plan.field, path: path, filename: blob.filename.to_s, content_type: plan.part_type }
          client.post_multipart(plan.endpoint, fields, [file])
        end
      end

      # The upload streams from a file on disk: the Disk service's own file when it is
      # one, else ActiveStorage's chunked download to a tempfile. Never the bytes in memory.
      def with_local_path(blob, &)
        service = blob.service
        if service.respond_to?(:path_for)
          path = service.path_for(blob.key)
          return yield(path) if File.file?(path)
        end
        blob.open { |file| return yield(file.path) }
      rescue ActiveStorage::FileNotFoundError
        raise Refused, "#{blob.filename} could not be read from storage."
      end

      def message_id(response)
        id = response.json.is_a?(Hash) ? response.json.dig("results", "message_id") : nil
        raise Refused, "The WhatsApp gateway did not return a message id." if id.to_s.empty?

        id.to_s
      end

      # Some parts may have reached WhatsApp: the message stays failed (the agent must see
      # that the rest did not), without a source_id (Chatwoot's retry skips a message that
      # has one), and lists the delivered ids, so a revoke reaches them and the receipts
      # that name them find it (Inbound::ReceiptApplier leaves it failed).
      def failed(reason, error)
        delivered = delivered_parts
        sentence = delivered.empty? ? reason : partial_sentence(delivered, reason)
        attrs = (message.content_attributes || {}).to_h.merge("external_error" => sentence)
        attrs[SentIds::KEY] = delivered.map { |part| @done[part.key] } unless delivered.empty?
        message.update!(status: :failed, content_attributes: attrs)
        @logger&.warn("[waweb_native] message #{message.id} not sent (#{error.class.name}): #{sentence}")
        nil
      end

      def delivered_parts
        return [] unless @plan && @done

        @plan.select { |part| @done.key?(part.key) }
      end

      # Parts go in order and stop at the first failure: the missing ones are the failing
      # part and those after it.
      def partial_sentence(delivered, reason)
        missing = @plan - delivered
        Failure.partial(delivered.flat_map { |part| names(part) }, missing.flat_map { |part| names(part) }, reason)
      end

      def names(part)
        case part.kind
        when :text then ["the text"]
        when :location then ["the location"]
        else [("the text" if part.caption), part.attachment.file.blob.filename.to_s].compact
        end
      end
    end
  end
end

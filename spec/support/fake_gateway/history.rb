# frozen_string_literal: true

class FakeGateway
  # The gateway's chat store (gateway-contract.md, "History"): GET /chats and
  # GET /chat/:chat_jid/messages, paged with limit/offset, newest first, messages
  # filtered by start_time/end_time (RFC3339); GET /message/:id/download puts a stored
  # message's media under statics/media/ and says where. Specs fill the store with
  # store_chat/store_message.
  module History # rubocop:disable Metrics/ModuleLength -- one store, three endpoints, their helpers
    EXTENSIONS = { "image" => "jpg", "video" => "mp4", "audio" => "ogg", "ptt" => "ogg", "document" => "pdf",
                   "sticker" => "webp" }.freeze

    # Adds (or renames) a chat; returns its JID.
    def store_chat(jid, name: nil)
      history_lock do
        @store_chats[jid] ||= { jid: jid, name: name || jid.split("@").first, last_message_time: nil }
        @store_chats[jid][:name] = name if name
      end
      jid
    end

    # Adds a message to a chat's store (the chat is created when new). fields: the store's
    # (content:, sender_jid:, is_from_me:, media_type:, filename:, file_length:, reactions:,
    # sender_display_name:, and any other); `bytes:` the media file /message/:id/download
    # serves (file_length defaults to its size).
    def store_message(chat_jid, id:, timestamp:, bytes: nil, **fields)
      store_chat(chat_jid)
      row = store_row(chat_jid, id, timestamp, fields)
      row[:file_length] ||= bytes&.bytesize || 0
      history_lock do
        @store_messages[chat_jid] << row
        @store_media[id] = bytes.b if bytes
        chat = @store_chats[chat_jid]
        chat[:last_message_time] = [chat[:last_message_time], timestamp.utc].compact.max
      end
      row
    end

    # The next `times` requests for that page of a chat's messages answer HTTP 500.
    def fail_messages_page(chat_jid, offset:, times: 1)
      history_lock { @store_page_failures[[chat_jid, offset]] += times }
    end

    def stored_message_count = history_lock { @store_messages.values.sum(&:size) }

    private

    def history_lock(&block)
      @history_lock ||= Mutex.new
      @history_lock.synchronize do
        @store_chats ||= {}
        @store_messages ||= Hash.new { |hash, key| hash[key] = [] }
        @store_media ||= {}
        @store_page_failures ||= Hash.new(0)
        block.call
      end
    end

    def store_row(chat_jid, id, timestamp, fields)
      from_me = fields.fetch(:is_from_me, false)
      media_type = fields.fetch(:media_type, "")
      { id: id, chat_jid: chat_jid, sender_jid: from_me ? @devices.first[:jid] : chat_jid, sender_display_name: nil,
        content: "", is_from_me: from_me, media_type: media_type, filename: "", url: media_url_for(media_type),
        file_length: nil, created_at: Time.now.utc.iso8601, updated_at: Time.now.utc.iso8601 }
        .merge(fields.compact).merge(timestamp: timestamp.utc.iso8601)
    end

    def media_url_for(media_type)
      media_type.to_s.empty? ? "" : "https://mmg.whatsapp.net/v/t62.7118-24/#{SecureRandom.hex(8)}.enc"
    end

    def chats(req)
      logged_in_only do
        limit, offset = paging(req, 25)
        rows = history_lock { @store_chats.values.map(&:dup) }
        rows.sort_by! { |chat| [-(chat[:last_message_time] || Time.at(0)).to_f, chat[:jid]] }
        data = rows[offset, limit] || []
        data.each { |chat| chat.merge!(chat_fields(chat)) }
        success("Success get chat list", data: data, pagination: { limit: limit, offset: offset, total: rows.size })
      end
    end

    def chat_messages(req, chat_jid)
      logged_in_only do
        limit, offset = paging(req, 50)
        next server_error if failing_page?(chat_jid, offset)

        rows = messages_between(chat_jid, req.query["start_time"], req.query["end_time"])
        chat = history_lock { @store_chats[chat_jid]&.dup } || { jid: chat_jid, name: "", last_message_time: nil }
        success("Success get chat messages", data: rows[offset, limit] || [],
                                             pagination: { limit: limit, offset: offset, total: rows.size },
                                             chat_info: chat.merge(chat_fields(chat)))
      end
    end

    def failing_page?(chat_jid, offset)
      history_lock do
        key = [chat_jid, offset]
        @store_page_failures[key].positive? && (@store_page_failures[key] -= 1)
      end
    end

    # Newest first, as the gateway's store answers.
    def messages_between(chat_jid, start_time, end_time)
      from = start_time ? Time.iso8601(start_time) : Time.at(0)
      to = end_time ? Time.iso8601(end_time) : Time.at(2**40)
      rows = history_lock { @store_messages.fetch(chat_jid, []).map(&:dup) }
      rows.select! { |row| Time.iso8601(row[:timestamp]).between?(from, to) }
      rows.sort_by { |row| [-Time.iso8601(row[:timestamp]).to_f, row[:id]] }
    end

    # One route for both kinds of media on demand: what a webhook spec registered
    # (AgentSide), else the chat store's.
    def download_route(req, message_id)
      registered = @lock.synchronize { agent_side[:downloads].key?(message_id) }
      registered ? message_download(req, message_id) : stored_message_download(message_id)
    end

    def stored_message_download(message_id)
      logged_in_only do
        row = history_lock { @store_messages.values.flatten.find { |r| r[:id] == message_id } }
        next error(404, "NOT_FOUND", "message #{message_id} not found") if row.nil?
        next error(400, "VALIDATION_ERROR", "message #{message_id} has no media") if row[:media_type].to_s.empty?

        bytes = history_lock { @store_media[message_id] }
        next error(500, "INTERNAL_SERVER_ERROR", "failed to download media: media no longer available") unless bytes

        name = "#{Time.now.to_i}-#{SecureRandom.uuid}.#{EXTENSIONS.fetch(row[:media_type], 'bin')}"
        add_media(name, bytes)
        success("Media downloaded successfully",
                message_id: message_id, status: "success", media_type: row[:media_type], filename: row[:filename],
                file_path: "statics/media/#{name}", file_url: "#{url}/statics/media/#{name}",
                file_size: bytes.bytesize)
      end
    end

    def chat_fields(chat)
      { last_message_time: chat[:last_message_time]&.iso8601 || "", ephemeral_expiration: 0,
        created_at: Time.now.utc.iso8601, updated_at: Time.now.utc.iso8601, archived: false }
    end

    def paging(req, default_limit)
      limit = req.query["limit"].to_i
      limit = default_limit unless limit.positive?
      [limit, [req.query["offset"].to_i, 0].max]
    end
  end
end

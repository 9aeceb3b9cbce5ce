# frozen_string_literal: true

require "time"

module WawebNative
  module History
    # The gateway's chat store, read page by page (gateway-contract.md, "History"):
    # GET /chats and GET /chat/:chat_jid/messages answer {data: [...], pagination:
    # {limit, offset, total}} inside the usual results envelope. A page that fails for
    # a passing reason (gateway unreachable, timeout, 5xx, garbled answer) is asked
    # again a few times before the error reaches the importer.
    class Store
      CHATS_PAGE = 100
      MESSAGES_PAGE = 100
      MAX_PAGES = 10_000 # a gateway whose paging never ends must not hold the import forever
      ATTEMPTS = 3
      TRANSIENT = [WawebNative::Gateway::ConnectionError, WawebNative::Gateway::TimeoutError,
                   WawebNative::Gateway::ServerError, WawebNative::Gateway::MalformedResponseError].freeze

      # pause: seconds before the second attempt, doubled for each next one.
      def initialize(client, pause: 0.5)
        @client = client
        @pause = pause
      end

      # Every chat of the device: [{"jid", "name", "last_message_time" (Time or nil), ...}].
      def chats
        paged("/chats", {}, CHATS_PAGE).each do |chat|
          chat["last_message_time"] = Store.time(chat["last_message_time"])
        end
      end

      # The chat's messages between two times, oldest first (the store's own order is not relied on).
      def messages(chat_jid, from:, to:)
        query = { start_time: from.utc.iso8601, end_time: to.utc.iso8601 }
        rows = paged("/chat/#{chat_jid}/messages", query, MESSAGES_PAGE)
        rows.each { |row| row["timestamp"] = Store.time(row["timestamp"]) }
        rows.select { |row| row["id"].is_a?(String) && !row["id"].empty? && row["timestamp"] }
            .sort_by { |row| [row["timestamp"], row["id"]] }
      end

      # Asks the gateway to fetch a stored message's media: {"file_path" => "statics/...", "file_size" => ...}.
      # Asked once: the gateway answers 500 for a file WhatsApp no longer has.
      def download(message_id, chat_jid)
        results = request("/message/#{message_id}/download", { phone: chat_jid }, attempts: 1)
        results.is_a?(Hash) ? results : {}
      end

      # The account's own JID (GET /app/status device_id), or nil.
      def own_jid
        results = request("/app/status", {})
        results.is_a?(Hash) ? results["device_id"].presence : nil
      rescue WawebNative::Gateway::Error
        nil
      end

      # RFC3339 (the store's format), or Unix seconds / milliseconds; nil when unreadable.
      def self.time(value)
        case value
        when Time then value.utc
        when Integer, Float then Time.at(value > 1e12 ? value / 1000.0 : value).utc
        when String then time_from_string(value)
        end
      end

      # Go's zero time ("0001-01-01T00:00:00Z") stands for "none".
      def self.time_from_string(value)
        return time(value.to_f) if value.match?(/\A\d+(\.\d+)?\z/)
        return nil if value.empty? || value.start_with?("0001-")

        Time.iso8601(value).utc
      rescue ArgumentError
        nil
      end

      private

      def paged(path, query, limit)
        rows = []
        offset = 0
        MAX_PAGES.times do
          page = request(path, query.merge(limit: limit, offset: offset))
          data = page.is_a?(Hash) ? Array(page["data"]) : Array(page)
          rows.concat(data.grep(Hash))
          offset += data.size
          total = page.is_a?(Hash) ? page.dig("pagination", "total") : nil
          break if data.empty? || (total.is_a?(Integer) ? offset >= total : data.size < limit)
        end
        rows
      end

      def request(path, query, attempts: ATTEMPTS)
        attempt = 0
        begin
          attempt += 1
          body = @client.get(path, query).json
          body.is_a?(Hash) && body.key?("results") ? body["results"] : body
        rescue *TRANSIENT
          raise if attempt >= attempts

          sleep(@pause * (2**(attempt - 1)))
          retry
        end
      end
    end
  end
end

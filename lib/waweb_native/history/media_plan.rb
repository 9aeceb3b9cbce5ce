# frozen_string_literal: true

module WawebNative
  module History
    # Which stored media an import downloads: each file within WhatsApp's size for its
    # kind, and all of them together within a budget per import (500 MB by default);
    # past either, the message comes in as its text with a note saying why.
    class MediaPlan
      MB = 1024 * 1024
      DEFAULT_BUDGET = 500 * MB
      # The store's media_type -> the webhook key the gateway uses for it.
      KINDS = { "image" => "image", "video" => "video", "audio" => "audio", "ptt" => "audio",
                "document" => "document", "sticker" => "sticker", "video_note" => "video_note" }.freeze
      LIMITS = { "image" => 20 * MB, "sticker" => 1 * MB, "audio" => 16 * MB, "video" => 100 * MB,
                 "video_note" => 100 * MB, "document" => 100 * MB }.freeze

      attr_reader :used

      def initialize(used: 0, budget: DEFAULT_BUDGET)
        @used = used.to_i
        @budget = budget
      end

      # The webhook key for a stored message's media, or nil for text and kinds without a file.
      def self.kind(row)
        KINDS[row["media_type"].to_s.downcase]
      end

      # nil when the file may be downloaded, else the note the message carries instead.
      def refusal(kind, size)
        limit = LIMITS.fetch(kind)
        if size > limit
          "[Media not imported: this #{kind} (#{megabytes(size)} MB) is larger than WhatsApp allows " \
            "(#{limit / MB} MB). It is still on the phone.]"
        elsif @used + size > @budget
          "[Media not imported: the history import's media budget (#{@budget / MB} MB) is used up. " \
            "The file is still on the phone.]"
        end
      end

      def spend(bytes)
        @used += bytes.to_i
      end

      def self.unavailable_note
        "[Media unavailable: the gateway could not download this file from WhatsApp.]"
      end

      private

      def megabytes(bytes)
        (bytes.to_f / MB).round(1)
      end
    end
  end
end

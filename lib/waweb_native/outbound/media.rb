# frozen_string_literal: true

module WawebNative
  module Outbound
    # Decides how one stored attachment goes to the gateway: which /send endpoint, which
    # multipart field, which part Content-Type, and the size cap checked before uploading.
    # The gateway checks the part's Content-Type header by exact match (no parameters), so
    # the browser's name for a type is mapped to one the gateway accepts.
    module Media
      MB = 1_000_000 # the gateway's caps are decimal megabytes

      # kind => [endpoint, multipart field, cap in MB, carries a caption?, noun for the size sentence]
      KINDS = {
        image: ["/send/image", "image", 20, true, "images"],
        video: ["/send/video", "video", 100, true, "videos"],
        # 16 MB is WhatsApp's own audio limit (the gateway's WhatsappSettingMaxAudioSize).
        audio: ["/send/audio", "audio", 16, false, "audio"],
        # WhatsApp stickers are small (100 kB static, 500 kB animated); the gateway re-encodes,
        # so 1 MB leaves room. A bigger webp is a picture, not a sticker: it goes as a file.
        sticker: ["/send/sticker", "sticker", 1, false, "stickers"],
        file: ["/send/file", "file", 50, true, "files"]
      }.freeze

      IMAGE_TYPES = { "image/jpeg" => "image/jpeg", "image/jpg" => "image/jpeg", "image/png" => "image/png" }.freeze
      VIDEO_TYPES = {
        "video/mp4" => "video/mp4", "video/x-matroska" => "video/x-matroska",
        "video/avi" => "video/avi", "video/x-msvideo" => "video/avi" # older gateways know only video/avi
      }.freeze
      AUDIO_TYPES = {
        "audio/aac" => "audio/aac", "audio/amr" => "audio/amr", "audio/flac" => "audio/flac",
        "audio/mpeg" => "audio/mpeg", "audio/mp3" => "audio/mpeg",
        "audio/m4a" => "audio/m4a", "audio/x-m4a" => "audio/m4a", "audio/mp4" => "audio/m4a",
        "audio/ogg" => "audio/ogg", "audio/opus" => "audio/ogg", "application/ogg" => "audio/ogg",
        "audio/wav" => "audio/wav", "audio/x-wav" => "audio/wav", "audio/wave" => "audio/wav",
        "audio/vnd.wave" => "audio/wav"
      }.freeze

      Plan = Struct.new(:kind, :endpoint, :field, :part_type, :cap_mb, :caption, :noun, :ptt, keyword_init: true) do
        def cap_bytes = cap_mb * MB

        def too_big?(bytes) = bytes.to_i > cap_bytes

        def size_error(filename) = "#{filename} is larger than WhatsApp allows for #{noun} (#{cap_mb} MB)."
      end

      module_function

      # content_type: the stored blob's type, parameters allowed ("audio/ogg; codecs=opus").
      # recorded: the agent recorded it in the dashboard (Chatwoot's attachment meta
      # is_recorded_audio); an ogg/opus voice note is a voice note even without that flag.
      def plan(content_type:, byte_size:, recorded: false)
        full = content_type.to_s.downcase.strip
        base = full.split(";").first.to_s.strip
        kind, part_type = classify(base, byte_size)
        ptt = kind == :audio && (recorded ? true : voice_note_type?(full))
        build(kind, part_type || base_or_octet(base), ptt)
      end

      def classify(base, byte_size)
        return [:image, IMAGE_TYPES[base]] if IMAGE_TYPES.key?(base)
        return [:video, VIDEO_TYPES[base]] if VIDEO_TYPES.key?(base)
        return [:audio, AUDIO_TYPES[base]] if AUDIO_TYPES.key?(base)
        return [:sticker, base] if base == "image/webp" && byte_size.to_i <= KINDS[:sticker][2] * MB

        [:file, nil]
      end

      def voice_note_type?(full)
        full.start_with?("audio/ogg", "audio/opus") && full.include?("opus")
      end

      def base_or_octet(base)
        base.empty? ? "application/octet-stream" : base
      end

      def build(kind, part_type, ptt)
        endpoint, field, cap, caption, noun = KINDS.fetch(kind)
        Plan.new(kind: kind, endpoint: endpoint, field: field, part_type: part_type, cap_mb: cap,
                 caption: caption, noun: noun, ptt: ptt)
      end
    end
  end
end

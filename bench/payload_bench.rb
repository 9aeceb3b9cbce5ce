# frozen_string_literal: true

# Payload.classify against JSON.parse + dig extracting the same fields, on a ~1 KB
# v8 image webhook (the fixture padded with fields a real gateway sends).
require_relative "bench_helper"
require "json"
require "openssl"
require "time"

FIXTURE = File.expand_path("../../shared/fixtures/webhooks/v8/image_caption.json", __dir__)

def padded_body
  doc = JSON.parse(File.binread(FIXTURE))
  doc["session_id"] = "main-device-slot"
  doc["payload"].merge!(
    "chat_lid" => "251500000009@lid", "sender_display_name" => "John Doe", "forwarded" => false,
    "view_once" => false, "from_history_sync" => false, "quoted_body" => "", "replied_to_id" => "",
    "image" => doc["payload"]["image"].merge("mime_type" => "image/jpeg", "width" => 1280, "height" => 960,
                                             "file_length" => 183_402, "sha256" => "q2m7" * 11)
  )
  body = JSON.generate(doc.sort.to_h.transform_values { |v| v.is_a?(Hash) ? v.sort.to_h : v })
  # pad the caption (copied to body, as the gateway does) up to ~1 KB
  pad = [1024 - body.bytesize, 0].max / 2
  caption = "Check this! #{'receipt of the order, page 1. ' * 20}"[0, 11 + pad]
  body.gsub("Check this!", caption)
end

BODY = padded_body.freeze
MEDIA_KEYS = %w[image video video_note audio document sticker].freeze

# The common Ruby way: parse to a Hash tree, dig out what the glue needs.
def reference(body)
  doc = JSON.parse(body)
  payload = doc["payload"]
  media_key = MEDIA_KEYS.find { |k| payload.key?(k) }
  media = payload[media_key]
  {
    kind: media_key ? media_key.to_sym : :text,
    message_id: payload["id"],
    chat: payload["chat_id"].sub(/:\d+@/, "@"),
    sender: payload["from"].sub(/:\d+@/, "@"),
    sender_lid: payload["from_lid"],
    push_name: payload["from_name"],
    text: payload["body"],
    caption: media.is_a?(Hash) ? media["caption"] : nil,
    media_path: media.is_a?(Hash) ? media["path"] || media["media_path"] : media,
    timestamp: Time.iso8601(payload["timestamp"]).to_i,
    from_me: payload["is_from_me"]
  }
end

def native(body)
  e = WawebNative::Payload.classify(body)
  {
    kind: e.kind, message_id: e.message_id, chat: e.chat, sender: e.sender, sender_lid: e.sender_lid,
    push_name: e.push_name, text: e.text, caption: e.caption, media_path: e.media_path,
    timestamp: e.timestamp, from_me: e.from_me?
  }
end

# Reading the fields without building a Hash, as the glue does.
def native_reads(body)
  e = WawebNative::Payload.classify(body)
  e.kind
  e.message_id
  e.chat
  e.sender
  e.sender_lid
  e.push_name
  e.text
  e.caption
  e.media_path
  e.timestamp
  e.from_me?
  e
end

unless native(BODY) == reference(BODY)
  raise "classify disagrees with the reference:\n#{native(BODY)}\n#{reference(BODY)}"
end

SECRET = "webhook-secret-for-bench"
HEADER = "sha256=#{OpenSSL::HMAC.hexdigest('SHA256', SECRET, BODY)}".freeze

def ruby_verify(body, header)
  OpenSSL.fixed_length_secure_compare("sha256=#{OpenSSL::HMAC.hexdigest('SHA256', SECRET, body)}", header)
end

puts "body: #{BODY.bytesize} bytes"
Bench.compare("classify + 11 reads (1 KB)", native: -> { native_reads(BODY) }, reference: -> { reference(BODY) })
Bench.compare("classify only vs JSON.parse (1 KB)",
              native: -> { WawebNative::Payload.classify(BODY) }, reference: -> { JSON.parse(BODY) })
if defined?(WawebNative::Signature)
  Bench.compare("verify? + classify + reads (1 KB)",
                native: lambda {
                  WawebNative::Signature.verify?(SECRET, BODY, HEADER) && native_reads(BODY)
                },
                reference: -> { ruby_verify(BODY, HEADER) && reference(BODY) })
end

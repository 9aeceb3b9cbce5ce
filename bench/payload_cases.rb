# frozen_string_literal: true

# What bench/payload_bench.rb and bench/payload_instructions.rb measure: the webhook
# bodies, the plain-Ruby reference (OpenSSL::HMAC + JSON.parse + dig) and the native
# path (Signature.verify? + Payload.classify + field reads).
require_relative "bench_helper"
require "json"
require "openssl"
require "time"

module PayloadCases
  module_function

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

  # The fixture as the gateway sends it, with a 750-character caption (multibyte text).
  def long_caption_body
    doc = JSON.parse(File.binread(FIXTURE))
    sentence = "Halo kak, pesanan saya #INV-20260801-0042 sudah sampai tapi warnanya beda dari foto " \
               "(saya pesan biru, datang hijau) — mohon dicek ya, terima kasih 🙏 "
    doc["payload"]["image"]["caption"] = (sentence * 10)[0, 750]
    JSON.generate(doc)
  end

  BODIES = { "1 KB" => padded_body.freeze, "750-char caption" => long_caption_body.freeze }.freeze
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

  SECRET = "webhook-secret-for-bench"

  def ruby_verify(body, header)
    OpenSSL.fixed_length_secure_compare("sha256=#{OpenSSL::HMAC.hexdigest('SHA256', SECRET, body)}", header)
  end

  def header(body)
    "sha256=#{OpenSSL::HMAC.hexdigest('SHA256', SECRET, body)}".freeze
  end

  # The whole job of the webhook endpoint, each way.
  def native_all(body, header)
    WawebNative::Signature.verify?(SECRET, body, header) && native_reads(body)
  end

  def reference_all(body, header)
    ruby_verify(body, header) && reference(body)
  end
end

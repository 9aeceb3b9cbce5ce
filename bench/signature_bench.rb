# frozen_string_literal: true

# Signature.verify? against OpenSSL::HMAC.hexdigest + OpenSSL.fixed_length_secure_compare
# on a ~1 KB webhook body.
require_relative "bench_helper"
require "openssl"

SECRET = "webhook-secret-for-bench"
BODY = File.binread(File.expand_path("../../shared/fixtures/webhooks/v8/image_caption.json", __dir__))
           .then { |b| b.bytesize >= 1024 ? b : (b * ((1024 / b.bytesize) + 1)) }
HEADER = "sha256=#{OpenSSL::HMAC.hexdigest('SHA256', SECRET, BODY)}".freeze

def ruby_verify(secret, body, header)
  return false unless header.is_a?(String) && header.bytesize == 71 && header.start_with?("sha256=")

  OpenSSL.fixed_length_secure_compare("sha256=#{OpenSSL::HMAC.hexdigest('SHA256', secret, body)}", header)
end

unless WawebNative::Signature.verify?(SECRET, BODY, HEADER) && ruby_verify(SECRET, BODY, HEADER)
  raise "verify? disagrees with the reference"
end

puts "body: #{BODY.bytesize} bytes"
Bench.compare("Signature.verify? (1 KB)",
              native: -> { WawebNative::Signature.verify?(SECRET, BODY, HEADER) },
              reference: -> { ruby_verify(SECRET, BODY, HEADER) })
Bench.compare("Signature.sign (1 KB)",
              native: -> { WawebNative::Signature.sign(SECRET, BODY) },
              reference: -> { "sha256=#{OpenSSL::HMAC.hexdigest('SHA256', SECRET, BODY)}" })

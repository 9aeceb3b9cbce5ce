# frozen_string_literal: true

require_relative "lib/waweb_native/version"

Gem::Specification.new do |spec|
  spec.name = "waweb_native"
  spec.version = WawebNative::VERSION
  spec.authors = ["waweb_native contributors"]
  spec.summary = "A WhatsApp Web inbox for Chatwoot, backed by go-whatsapp-web-multidevice, with a C core"
  spec.description = <<~DESC
    Adds the whatsapp_web provider to Chatwoot without forking it: verified webhooks become
    contacts, conversations and messages (media, reactions, edits, deletes, receipts, groups),
    and agents' replies go back through the gateway. JID rules, HMAC checks, webhook
    classification, multipart bodies and the HTTP client are C.
  DESC
  spec.license = "MIT"
  spec.required_ruby_version = ">= 3.1"

  spec.files = Dir["lib/**/*.{rb,erb,css,js,rake,yml}", "ext/waweb_native/*.{c,h,rb}", "README.md", "LICENSE"]
  spec.require_paths = ["lib"]
  spec.extensions = ["ext/waweb_native/extconf.rb"]
  # Left Ruby's default gems in 3.4 (Chatwoot's Ruby); the Rails gems come with the host app.
  spec.add_dependency "base64"
  spec.metadata["rubygems_mfa_required"] = "true"
end

# frozen_string_literal: true

# JID.sanitize against the common plain-Ruby way (strip, regexes, gsub/delete) doing
# the same jid-rules normalisation, on a mix of what webhooks and agents send.
require_relative "bench_helper"

# The reference: every rule of docs/jid-rules.md, written the usual Ruby way.
module RubyJID
  SERVERS = {
    "s.whatsapp.net" => "s.whatsapp.net", "c.us" => "s.whatsapp.net", "g.us" => "g.us",
    "lid" => "lid", "broadcast" => "broadcast", "newsletter" => "newsletter"
  }.freeze
  PHONE = /\A[1-9]\d{6,14}\z/
  GROUP = /\A(?:\d{10,20}|[1-9]\d{6,14}-\d{1,20})\z/
  LINKED = /\A([^.:]*)(?:\.(\d{1,3}))?(?::(\d{1,5}))?\z/
  TYPED = /\A\+?[\d \t().-]*\z/

  module_function

  def sanitize(input)
    raise ArgumentError, "nil is empty" if input.nil?
    raise ArgumentError, "too long" if input.bytesize > 256
    raise ArgumentError, "NUL or non-ASCII" if !input.ascii_only? || input.include?("\0")

    s = input.strip.sub(/\Awhatsapp:/i, "").lstrip
    raise ArgumentError, "empty" if s.empty?

    s.include?("@") ? full(s) : typed(s)
  end

  def full(str)
    user, server, extra = str.split("@", -1)
    raise ArgumentError, "two @" if extra

    canonical = SERVERS[server.downcase] or raise ArgumentError, "unknown or empty server"
    base, linked = split_linked(user.delete_prefix("+"))
    raise ArgumentError, "bad user" unless USER_RULES.fetch(canonical).call(base, linked)

    "#{base}@#{canonical}"
  end

  # user[.agent][:device] -> [user, agent or device if any]
  def split_linked(user)
    m = LINKED.match(user) or raise ArgumentError, "bad user"
    raise ArgumentError, "empty user" if m[1].empty?
    raise ArgumentError, "bad device or agent" if m[3].to_i > 65_535 || m[2].to_i > 255

    [m[1], m[2] || m[3]]
  end

  ID = /\A\d{1,20}\z/
  USER_RULES = {
    "s.whatsapp.net" => ->(base, _linked) { base.match?(PHONE) },
    "g.us" => ->(base, linked) { !linked && base.match?(GROUP) },
    "lid" => ->(base, _linked) { base.match?(ID) },
    "broadcast" => ->(base, linked) { !linked && (base == "status" || base.match?(ID)) },
    "newsletter" => ->(base, linked) { !linked && base.match?(ID) }
  }.freeze

  def typed(str)
    raise ArgumentError, "not a phone number" unless str.match?(TYPED)

    digits = str.gsub(/\D/, "")
    raise ArgumentError, "no digits" if digits.empty?
    raise ArgumentError, "not international" if digits.start_with?("0")
    raise ArgumentError, "too short" if digits.size < 7
    raise ArgumentError, "too long" if digits.size > 20

    "#{digits}@#{digits.size > 15 ? 'g.us' : 's.whatsapp.net'}"
  end
end

INPUTS = [
  "+5511987654321", " +55 (11) 98765-4321 ", "whatsapp:+5511987654321",
  "5511987654321.1:12@s.whatsapp.net", "5511987654321@c.us", "120363025246125486@g.us",
  "120363025246125486", "123456789012345:3@lid", "+1 (415) 555-2671", "4915112345678@S.WhatsApp.Net"
].freeze

INPUTS.each do |input|
  c = WawebNative::JID.sanitize(input)
  r = RubyJID.sanitize(input)
  raise "reference disagrees on #{input.inspect}: #{c} vs #{r}" unless c == r
end

# The reference rejects what the C rejects (checked, not timed).
["", "+", "abc", "0811234567", "123456", "a@b@c", "1@example.com", "5511987654321:x@c.us", "١٢٣٤٥٦٧٨"].each do |bad|
  [WawebNative::JID, RubyJID].each do |impl|
    impl.sanitize(bad)
    raise "#{impl} accepted #{bad.inspect}"
  rescue ArgumentError
    nil
  end
end

Bench.compare("JID.sanitize (10 mixed inputs)",
              native: -> { INPUTS.each { |s| WawebNative::JID.sanitize(s) } },
              reference: -> { INPUTS.each { |s| RubyJID.sanitize(s) } })
Bench.compare("JID.sanitize (typed phone)",
              native: -> { WawebNative::JID.sanitize(" +55 (11) 98765-4321 ") },
              reference: -> { RubyJID.sanitize(" +55 (11) 98765-4321 ") })

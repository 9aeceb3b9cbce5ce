# frozen_string_literal: true

module WawebNative
  # Every error the gem raises is a WawebNative::Error, so one rescue catches them all.
  # It is a module so that InvalidJID can also be an ArgumentError.
  module Error; end

  # A phone number or JID that breaks jid-rules; the message names the input and the rule.
  class InvalidJID < ArgumentError
    include Error
  end

  # A webhook body that is not acceptable JSON; the message carries the byte offset.
  class ParseError < StandardError
    include Error
  end
end

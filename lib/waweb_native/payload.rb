# frozen_string_literal: true

module WawebNative
  # Webhook bodies are classified in C (Payload.classify); a refused body raises
  # ParseError, whose offset is the byte where the problem was found.
  class ParseError
    # Byte offset in the body, or nil when the error did not come from the parser.
    attr_reader :offset
  end
end

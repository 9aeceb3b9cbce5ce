# frozen_string_literal: true

require "json"
require "timeout"

module Compat
  module Chatwoot
    # The host side of a child process kept open for the run (the probe, the Chromium
    # driver) that answers each request with one JSON line marked by the includer's REPLY
    # prefix; its other output (Rails', node's) is skipped. The includer sets @io and says
    # what to raise when the child is gone (#exited).
    module JsonLines
      private

      def read_reply(timeout:)
        Timeout.timeout(timeout) do
          loop do
            line = @io.gets or raise exited
            return JSON.parse(line.delete_prefix(self.class::REPLY)) if line.start_with?(self.class::REPLY)
          end
        end
      end
    end
  end
end

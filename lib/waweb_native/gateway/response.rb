# frozen_string_literal: true

require "json"

module WawebNative
  module Gateway
    # One HTTP answer from the gateway: `headers` has lowercase names, `json` is parsed
    # on first use and kept.
    class Response
      attr_reader :status, :headers, :body

      def initialize(status, headers, body)
        @status = status
        @headers = headers.freeze
        @body = body.freeze
        @json = nil
        @parsed = false
      end

      def success? = status.between?(200, 299)

      def json
        return @json if @parsed

        @json = JSON.parse(body)
        @parsed = true
        @json
      rescue JSON::ParserError => e
        raise MalformedResponseError.new("The gateway answered HTTP #{status} with malformed JSON " \
                                         "(#{e.message[0, 80]}). Check that api_base_url points at the gateway.",
                                         status: status)
      end

      # The `results` object of the gateway's success envelope (nil if absent).
      def results
        data = json
        data["results"] if data.is_a?(Hash)
      end

      def inspect = "#<#{self.class.name} status=#{status} body=#{body.bytesize} bytes>"
    end
  end
end

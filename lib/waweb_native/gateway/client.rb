# frozen_string_literal: true

require "json"
require "uri"
require "tempfile"
require "fileutils"
require "pathname"

module WawebNative
  module Gateway
    # The gateway's HTTP client. The transfer itself is C over libcurl (rb_client.c): kept-alive
    # connections pooled per client, the GVL released while waiting, interruptible by
    # Thread#kill, Timeout and Ctrl-C. This part builds requests and maps statuses to errors.
    class Client
      DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024

      attr_reader :base_url, :username, :device_id, :open_timeout, :timeout

      # The password is handed to C memory and not kept in any instance variable.
      def initialize(base_url:, username:, password:, device_id: nil, open_timeout: 5, timeout: 30, # rubocop:disable Metrics/ParameterLists
                     max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES)
        @base_url = validate_base_url(base_url.to_s).freeze
        @username = username.to_s.dup.freeze
        @device_id = device_id.nil? || device_id.to_s.empty? ? nil : device_id.to_s.dup.freeze
        @open_timeout = open_timeout
        @timeout = timeout
        _setup(@base_url, @username, password.to_s, @device_id, milliseconds(open_timeout), milliseconds(timeout),
               Integer(max_response_bytes), "waweb_native/#{WawebNative::VERSION}")
      end

      def get(path, query = {})
        checked("GET", path, _get(with_query(path, query)))
      end

      def post_json(path, hash)
        checked("POST", path, _post_json(path.to_s, JSON.generate(hash)))
      end

      # PATCH with a JSON body (the gateway's device webhook, v9+).
      def patch_json(path, hash)
        checked("PATCH", path, _patch_json(path.to_s, JSON.generate(hash)))
      end

      def delete(path)
        checked("DELETE", path, _delete(path.to_s))
      end

      # fields: {name => value}; files: [{name:, path:, filename:, content_type:}], streamed from disk.
      def post_multipart(path, fields, files)
        pairs = fields.to_a.map { |name, value| [name.to_s, value.to_s] }
        parts = Array(files).map do |file|
          disk = file.fetch(:path).to_s
          unless File.file?(disk) && File.readable?(disk)
            raise ArgumentError,
                  "upload file not found or unreadable: #{disk}"
          end

          [file.fetch(:name).to_s, disk, (file[:filename] || File.basename(disk)).to_s, file[:content_type]&.to_s]
        end
        checked("POST", path, _post_multipart(path.to_s, pairs, parts))
      end

      # Streams the body to a path or an IO; past max_bytes the transfer stops, the partial file is
      # removed (path) or truncated back (IO) and ResponseTooLargeError is raised.
      def download(path, io_or_path, max_bytes:)
        max_bytes = Integer(max_bytes)
        if io_or_path.is_a?(String) || io_or_path.is_a?(Pathname)
          download_to_path(path, io_or_path.to_s, max_bytes)
        elsif io_or_path.respond_to?(:fileno) && io_or_path.fileno
          download_to_io(path, io_or_path, max_bytes)
        else
          download_via_tempfile(path, io_or_path, max_bytes)
        end
      end

      def inspect
        "#<#{self.class.name} base_url=#{base_url.inspect} username=#{username.inspect} " \
          "device_id=#{device_id.inspect}>"
      end
      alias to_s inspect

      private

      def validate_base_url(url)
        uri = URI.parse(url)
        raise ArgumentError, "base_url must be an http(s) URL" unless %w[http https].include?(uri.scheme) && uri.host
        raise ArgumentError, "base_url must not carry credentials: pass username: and password:" if uri.userinfo

        url.chomp("/")
      rescue URI::InvalidURIError
        raise ArgumentError, "base_url is not a valid URL"
      end

      def milliseconds(seconds)
        (Float(seconds) * 1000).round
      end

      def with_query(path, query)
        path = path.to_s
        return path if query.nil? || query.empty?

        "#{path}#{path.include?('?') ? '&' : '?'}#{URI.encode_www_form(query)}"
      end

      def checked(verb, path, response)
        return response if response.success?

        raise Error.for_response(response, verb, "#{base_url}#{'/' unless path.to_s.start_with?('/')}#{path}")
      end

      def download_to_path(path, file_path, max_bytes)
        File.open(file_path, "wb") { |f| download_to_io(path, f, max_bytes) }
      rescue StandardError
        FileUtils.rm_f(file_path)
        raise
      end

      def download_to_io(path, io, max_bytes)
        io.flush
        start = io.respond_to?(:pos) ? io.pos : nil
        begin
          checked("GET", path, _download(path.to_s, io.fileno, max_bytes))
        rescue StandardError
          io.truncate(start) if start && io.respond_to?(:truncate)
          io.seek(start) if start && io.respond_to?(:seek)
          raise
        end
      end

      def download_via_tempfile(path, io, max_bytes)
        Tempfile.create("waweb_download", binmode: true) do |tmp|
          response = download_to_io(path, tmp, max_bytes)
          tmp.rewind
          IO.copy_stream(tmp, io)
          response
        end
      end
    end
  end
end
